import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { DiscoveredDevice } from '../inventory/types.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import {
  APP_MAX_DELAY_MS,
  MAX_DATAGRAM_BYTES,
  PROBE_TYPES,
  UDP_MAX_DELAY_MS,
  UDP_MIN_DELAY_MS,
  UDP_UPPER_DELAY_MS,
  UNICAST_UDP_REPEAT,
  WSD_MULTICAST_ADDRESS,
  WSD_PORT,
} from './constants.js';
import { listIpv4Interfaces } from './interfaces.js';
import {
  buildProbe,
  type DiscoveryEntry,
  deviceFromEntry,
  isOnvifEntry,
  newMessageId,
  parseDiscoveryMessage,
} from './messages.js';

export interface DiscoverOptions {
  /** Probe by multicast on every non-internal IPv4 interface (or those in `interfaces`). */
  multicast: boolean;
  /** IPv4 addresses to probe by unicast (already expanded). */
  unicastTargets: readonly string[];
  interfaces?: readonly string[];
  /** Number of multicast probe sends per type (1 + repeats). */
  repeats?: number;
  /** Upper bound of the whole discovery, ms. */
  timeoutMs: number;
  /** Destination port of probes (tests); default 3702. */
  port?: number;
  /** Called as soon as a new device is accepted, so interrogation can start before the window closes. */
  onDevice?: (device: DiscoveredDevice) => void;
  /** Aborts discovery early (sockets closed, what was found is returned). */
  signal?: AbortSignal;
  logger?: Logger;
  /** Cap on accepted devices per scan and per sender, against floods. */
  maxDevices?: number;
  maxPerSender?: number;
}

export interface DiscoverResult {
  devices: DiscoveredDevice[];
  /** Datagrams dropped, by reason (for debugging; never raised as device errors). */
  dropped: Record<string, number>;
  errors: Array<{ source: string; code: string; message: string }>;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

const jitter = (min: number, max: number): number => min + Math.random() * (max - min);

function sendTo(socket: Socket, message: Buffer, port: number, address: string): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.send(message, port, address, () => resolve());
    } catch {
      resolve(); // a socket closed underneath us: nothing left to send
    }
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}

function bindSocket(socket: Socket, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind({ address, port: 0, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

/**
 * One WS-Discovery pass: our own client (never the onvif package's Discovery). Replies are accepted only when they
 * relate to one of our probes, fit 64 KiB, are ONVIF, and each datagram is parsed on its own.
 */
export async function discover(opts: DiscoverOptions): Promise<DiscoverResult> {
  const log = opts.logger ?? silentLogger();
  const port = opts.port ?? WSD_PORT;
  const started = Date.now();
  const hardDeadline = started + opts.timeoutMs;
  const outstanding = new Map<string, number>(); // MessageID → deadline
  const byEndpoint = new Map<string, DiscoveredDevice>();
  const perSender = new Map<string, number>();
  const seenMessageIds = new Set<string>();
  const dropped: Record<string, number> = {};
  const errors: DiscoverResult['errors'] = [];
  const sockets: Socket[] = [];
  const answeredTargets = new Set<string>();
  const unicastSet = new Set(opts.unicastTargets);
  let unansweredTargets = unicastSet.size;
  /** Multicast sockets that probe: while any does, the window runs its course (anyone may still answer). */
  let multicastProbing = false;
  const maxDevices = opts.maxDevices ?? 4096;
  const maxPerSender = opts.maxPerSender ?? 16;
  const internal = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, internal.signal]) : internal.signal;

  const drop = (reason: string, rinfo: RemoteInfo, detail?: string): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    log.debug({ reason, from: rinfo.address, detail: detail?.slice(0, 200) }, 'ws-discovery datagram dropped');
  };

  const accept = (entry: DiscoveryEntry, rinfo: RemoteInfo, via: DiscoveredDevice['via']): void => {
    if (!isOnvifEntry(entry)) {
      drop('not-onvif', rinfo);
      return;
    }
    if (entry.endpoint === '') {
      drop('no-endpoint', rinfo);
      return;
    }
    if (byEndpoint.has(entry.endpoint)) return; // retransmit or second interface
    if (byEndpoint.size >= maxDevices) {
      drop('device-cap', rinfo);
      return;
    }
    const count = perSender.get(rinfo.address) ?? 0;
    if (count >= maxPerSender) {
      drop('sender-cap', rinfo);
      return;
    }
    perSender.set(rinfo.address, count + 1);
    const device = deviceFromEntry(entry, rinfo.address, via);
    byEndpoint.set(entry.endpoint, device);
    if (unicastSet.has(rinfo.address) && !answeredTargets.has(rinfo.address)) unansweredTargets--;
    answeredTargets.add(rinfo.address);
    try {
      opts.onDevice?.(device);
    } catch (err) {
      log.warn({ err }, 'onDevice handler threw');
    }
    if (!multicastProbing && unicastSet.size > 0 && unansweredTargets === 0) {
      internal.abort(); // every target answered: no reason to wait out the window
    }
  };

  const onMessage = (via: DiscoveredDevice['via']) => (msg: Buffer, rinfo: RemoteInfo) => {
    try {
      if (msg.length > MAX_DATAGRAM_BYTES) return drop('oversize', rinfo);
      const parsed = parseDiscoveryMessage(msg);
      if (parsed.kind !== 'probe-matches') return drop(`unexpected-${parsed.kind}`, rinfo);
      const deadline = parsed.relatesTo === undefined ? undefined : outstanding.get(parsed.relatesTo);
      if (deadline === undefined || Date.now() > deadline) return drop('unrelated', rinfo, parsed.relatesTo);
      if (parsed.messageId !== undefined) {
        const key = `${rinfo.address}|${parsed.messageId}`;
        if (seenMessageIds.has(key)) return drop('duplicate', rinfo);
        seenMessageIds.add(key);
      }
      for (const m of parsed.matches) accept(m, rinfo, via);
    } catch (err) {
      drop('unparsable', rinfo, err instanceof Error ? err.message : String(err));
    }
  };

  const probes = PROBE_TYPES.map((type) => {
    const id = newMessageId();
    outstanding.set(id, hardDeadline);
    return Buffer.from(buildProbe(id, type), 'utf8');
  });

  let lastSend = Date.now();
  try {
    // Multicast: one socket per interface, bound to its address, TTL 1 so probes never leave the link.
    const multicastSockets: Socket[] = [];
    if (opts.multicast) {
      for (const iface of listIpv4Interfaces(opts.interfaces ?? [])) {
        const socket = createSocket({ type: 'udp4', reuseAddr: false });
        sockets.push(socket);
        socket.on('error', (err) => log.debug({ err, iface: iface.name }, 'ws-discovery socket error'));
        try {
          await bindSocket(socket, iface.address);
          socket.setMulticastInterface(iface.address);
          socket.setMulticastTTL(1);
          socket.on('message', onMessage('multicast'));
          multicastSockets.push(socket);
          multicastProbing = true;
        } catch (err) {
          errors.push({
            source: `discovery:${iface.name}`,
            code: 'unreachable',
            message: `cannot probe on ${iface.name} (${iface.address}): ${err instanceof Error ? err.message : String(err)}`,
          });
          closeQuietly(socket);
        }
      }
    }
    let unicastSocket: Socket | undefined;
    if (opts.unicastTargets.length > 0) {
      unicastSocket = createSocket({ type: 'udp4' });
      sockets.push(unicastSocket);
      unicastSocket.on('error', (err) => log.debug({ err }, 'ws-discovery unicast socket error'));
      await bindSocket(unicastSocket, '0.0.0.0');
      try {
        // A sweep draws a burst of replies; the kernel caps this at net.core.rmem_max.
        unicastSocket.setRecvBufferSize(4 * 1024 * 1024);
      } catch {
        // keep the default
      }
      unicastSocket.on('message', onMessage('unicast'));
    }

    const repeats = Math.max(1, opts.repeats ?? 3);
    const sendRound = async (round: number): Promise<void> => {
      if (round < repeats) {
        for (const s of multicastSockets) for (const p of probes) await sendTo(s, p, port, WSD_MULTICAST_ADDRESS);
      }
      // Unicast: the spec's repeats, plus one more round to the targets that are still silent (lost replies).
      if (unicastSocket && round <= UNICAST_UDP_REPEAT) {
        let i = 0;
        for (const target of opts.unicastTargets) {
          if (signal.aborted) return;
          if (round > 0 && answeredTargets.has(target)) continue;
          for (const p of probes) await sendTo(unicastSocket, p, port, target);
          if (++i % 16 === 0) await new Promise((r) => setImmediate(r)); // let replies in while sweeping
        }
      }
      lastSend = Date.now();
    };

    const rounds = Math.max(repeats, unicastSocket ? UNICAST_UDP_REPEAT + 1 : 0);
    let delay = jitter(UDP_MIN_DELAY_MS, UDP_MAX_DELAY_MS);
    for (let round = 0; round < rounds && !signal.aborted && Date.now() < hardDeadline; round++) {
      if (round > 0) {
        await sleep(Math.min(delay, Math.max(0, hardDeadline - Date.now())), signal);
        delay = Math.min(delay * 2, UDP_UPPER_DELAY_MS);
      }
      if (!signal.aborted) await sendRound(round);
    }
    // The spec window: targets answer within APP_MAX_DELAY of the last probe; add a margin for the round trip.
    const windowEnd = Math.min(hardDeadline, lastSend + APP_MAX_DELAY_MS + 250);
    await sleep(Math.max(0, windowEnd - Date.now()), signal);
  } catch (err) {
    errors.push({
      source: 'discovery',
      code: 'unreachable',
      message: `discovery failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  } finally {
    outstanding.clear();
    for (const s of sockets) closeQuietly(s);
  }
  return { devices: [...byEndpoint.values()], dropped, errors };
}
