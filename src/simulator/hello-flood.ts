import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { hello } from './discovery-messages.js';
import { STYLES } from './vendor-styles.js';

export interface HelloFloodOptions {
  /** Where the Hellos go (a Hello listener's address, or 239.255.255.250 inside a test's own namespace). */
  target: string;
  port: number;
  /**
   * Local IPv4 addresses to send from, one socket each: on Linux every 127.0.0.0/8 address is local, so a loopback
   * test can play many (spoofed-looking) senders without raw sockets.
   */
  senders: readonly string[];
  /** Hellos sent from each sender. */
  perSender: number;
  /** Every Hello names a new EndpointReference (default), or each sender repeats one. */
  distinctEndpoints?: boolean;
  /** Pads each Hello with scopes up to about this many bytes (default: a plain Hello of ~1 KiB). */
  bytes?: number;
  /** XAddr port announced (the XAddr host is always the sender, as a listener accepts nothing else). */
  xaddrPort?: number;
}

export interface HelloFloodResult {
  sent: number;
  /** Sends the kernel refused (buffer full): the flood outran the socket. */
  failed: number;
}

function padScopes(bytes: number | undefined): string[] {
  const scopes = ['onvif://www.onvif.org/type/video_encoder', 'onvif://www.onvif.org/Profile/Streaming'];
  if (bytes === undefined) return scopes;
  for (let i = 0; bytes > 1200 + scopes.length * 40; i++) scopes.push(`onvif://www.onvif.org/name/flood-${i}-xxxxxxx`);
  return scopes;
}

/**
 * A Hello flooder for tests of passive discovery: `senders × perSender` unauthenticated Hello messages, as fast as
 * the sockets take them, each announcing an ONVIF device at its sender's address. What a LAN attacker can do to a
 * gateway listening on 3702.
 */
export async function floodHellos(opts: HelloFloodOptions): Promise<HelloFloodResult> {
  const style = STYLES.generic;
  const scopes = padScopes(opts.bytes);
  const sockets: Socket[] = [];
  let sent = 0;
  let failed = 0;
  try {
    for (const address of opts.senders) {
      const socket = createSocket({ type: 'udp4' });
      socket.on('error', () => undefined);
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(0, address, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }
    const instanceId = Math.floor(Date.now() / 1000);
    const sends: Array<Promise<void>> = [];
    for (let n = 0; n < opts.perSender; n++) {
      opts.senders.forEach((address, i) => {
        const socket = sockets[i] as Socket;
        const endpoint =
          opts.distinctEndpoints === false
            ? `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
            : `urn:uuid:${randomUUID()}`;
        const text = hello(style, '2005/04', {
          endpoint,
          types: style.types,
          scopes,
          xaddrs: [`http://${address}:${opts.xaddrPort ?? 80}/onvif/device_service`],
          metadataVersion: 1,
          instanceId,
          messageNumber: n + 1,
        });
        sends.push(
          new Promise<void>((resolve) => {
            socket.send(text, opts.port, opts.target, (err) => {
              if (err) failed++;
              else sent++;
              resolve();
            });
          }),
        );
      });
      if (sends.length >= 32) {
        // Keep the send queue short, and let a listener in this same process read (a burst far past its receive
        // buffer would only measure the kernel dropping datagrams).
        await Promise.all(sends.splice(0));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await Promise.all(sends);
  } finally {
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  return { sent, failed };
}
