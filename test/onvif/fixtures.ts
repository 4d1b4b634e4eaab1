import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** Real devices' SOAP captures, kept in the repository (test/fixtures/onvif-real/SOURCES.md names origin and licence). */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onvif-real');

/** Raw wire XML of a capture (JSON captures carry it in `response_body`). */
export function fixture(rel: string): string {
  const text = readFileSync(join(FIXTURES, rel), 'utf8');
  return rel.endsWith('.json') ? (JSON.parse(text) as { response_body: string }).response_body : text;
}

export const BOSCH = '0x524a_onvif-go/Bosch_FLEXIDOME_indoor_5100i_IR_8.71.0066';
export const ENP = 'faithoflifedev_easy_onvif_workspace/ENP1A14-IR_25X';
export const EASY = 'faithoflifedev_easy_onvif_workspace';
export const KOTLIN = 'sproctor_ONVIF-Camera-Kotlin';

/** A test device server on a free loopback port whose open connections are tracked, so teardown can cut them. */
export interface TrackedServer {
  port: number;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

export async function listenTracked(server: Server): Promise<TrackedServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
