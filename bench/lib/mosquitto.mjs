// A mosquitto of the bench's own on a free loopback port, configured so that nothing is dropped for a slow
// subscriber (unlimited queue and in-flight window). Shared by the benches that need a real broker.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';

export const MOSQUITTO_BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  existsSync(p),
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Starts mosquitto with its config in `dir` (which mosquitto's own user must be able to read); resolves once it accepts. */
export async function startMosquitto(port, dir) {
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `persistence false\nlistener ${port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 0\nmax_queued_messages 0\n`,
  );
  const p = spawn(MOSQUITTO_BIN, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return p;
    await sleep(50);
  }
  throw new Error('mosquitto did not start');
}
