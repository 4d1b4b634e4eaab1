import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { DiscoveredDevice } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import {
  ANSWER_WINDOW_MS,
  MAX_DATAGRAM_BYTES,
  PROBE_TYPES,
  UDP_MAX_DELAY_MS,
  UDP_MIN_DELAY_MS,
  UDP_UPPER_DELAY_MS,
  UNICAST_UDP_REPEAT,
  WSD_MULTICAST_ADDRESS,
  WSD_PORT,
} from './constants.js';
import { DropTally, type SourcedError } from './drop-tally.js';
import { listIpv4Interfaces } from './interfaces.js';
import {
  buildProbe,
  type DiscoveryEntry,
  deviceFromEntry,
  isOnvifEntry,
  newMessageId,
  parseDiscoveryMessage,
} from './messages.js';
import { DEFAULT_SCOPE_LIMITS, type ScopeLimits } from './scope-limits.js';

export interface DiscoverOptions {
  /** Probe by multicast on every non-internal IPv4 interface (or those in `interfaces`). */
  multicast: boolean;
  /** IPv4 addresses to probe by unicast (already expanded). */
  unicastTargets: readonly string[];
  interfaces?: readonly string[];
  /** Number of multicast probe sends per type (1 + repeats). */
  repeats?: number;
  /**
   * Planned length of discovery, ms: no repeat round starts whose answer window would end past it. The answer window
   * after the last probe sent is never cut short, so a slow sweep runs over; `signal` is the hard bound.
   */
  timeoutMs: number;
  /** Destination port of probes (tests); default 3702. */
  port?: number;
  /** Called as soon as a new device is accepted, so interrogation can start before the window closes. */
  onDevice?: (device: DiscoveredDevice) => void;
  /** Aborts discovery (sockets closed, what was found is returned): the hard bound, e.g. the scan's deadline. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Cap on accepted devices per scan and per sender address, against floods (config discovery.maxDevices*). */
  maxDevices?: number;
  maxPerSender?: number;
  /** Bounds on each device's scopes (config discovery.maxScopesPerDevice, maxScopeLength). */
  scopeLimits?: ScopeLimits;
}

export interface DiscoverResult {
  /** One per distinct (EndpointReference, address) pair that answered: a second claimant is never dropped. */
  devices: DiscoveredDevice[];
  /** Datagrams dropped, by reason (debugging detail; the security-relevant ones are also in `errors`). */
  dropped: Record<string, number>;
  /** Interfaces that could not probe, and replies dropped for a missing or foreign RelatesTo or over the caps. */
  errors: SourcedError[];
}

/** Drop reasons that a scan reports in its `errors`, with the code and what a count of them means. */
const REPORTED_DROPS: Record<string, { code: ErrorCode; what: (n: number) => string }> = {
  'missing-relates-to': {
    code: ErrorCode.MissingRelatesTo,
    what: (n) => `${n} ProbeMatches without a RelatesTo ignored (it answers no probe of ours)`,
  },
  unrelated: {
    code: ErrorCode.UnrelatedReply,
    what: (n) => `${n} ProbeMatches whose RelatesTo names no probe of this scan (spoofed) ignored`,
  },
  'sender-cap': {
    code: ErrorCode.DeviceLimit,
    what: (n) => `${n} devices past discovery.maxDevicesPerAddress dropped`,
  },
  'device-cap': {
    code: ErrorCode.DeviceLimit,
    what: (n) => `${n} devices past discovery.maxDevices dropped`,
  },
};

const pairKey = (endpoint: string, address: string): string => `${endpoint}\n${address}`;

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
  const plannedEnd = Date.now() + opts.timeoutMs;
  // MessageIDs of our probes: outstanding until the answer window after the last probe closes (docs/discovery.md).
  const outstanding = new Set<string>();
  const byPair = new Map<string, DiscoveredDevice>();
  const endpointsBySender = new Map<string, Set<string>>();
  const seenMessageIds = new Set<string>();
  const dropped: Record<string, number> = {};
  const tally = new DropTally();
  const errors: DiscoverResult['errors'] = [];
  const sockets: Socket[] = [];
  const answeredTargets = new Set<string>();
  const unicastSet = new Set(opts.unicastTargets);
  let unansweredTargets = unicastSet.size;
  /** Multicast sockets that probe: while any does, the window runs its course (anyone may still answer). */
  const multicastSockets: Socket[] = [];
  const maxDevices = opts.maxDevices ?? 4096;
  const maxPerSender = opts.maxPerSender ?? 8;
  const scopeLimits = opts.scopeLimits ?? DEFAULT_SCOPE_LIMITS;
  // Retransmits are recognised by MessageID; past this many ids, (endpoint, address) de-duplication alone remains.
  const maxSeenIds = 4 * maxDevices;
  const internal = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, internal.signal]) : internal.signal;
  let allAnswered: NodeJS.Timeout | undefined;
  /** Ends the pause after the first probe type's sweep once every unicast target has answered. */
  const targetsAnswered = new AbortController();

  const drop = (reason: string, rinfo: RemoteInfo, detail?: string): void => {
    dropped[reason] = (dropped[reason] ?? 0) + 1;
    if (reason in REPORTED_DROPS) tally.add(reason, rinfo.address);
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
    // One device per (EndpointReference, address): a retransmit or the second probe type adds nothing, but the same
    // EndpointReference from another address (a second interface, or another device) is kept for identity to judge.
    const key = pairKey(entry.endpoint, rinfo.address);
    if (byPair.has(key)) return;
    const fromSender = endpointsBySender.get(rinfo.address);
    if (fromSender && fromSender.size >= maxPerSender) {
      drop('sender-cap', rinfo);
      return;
    }
    if (byPair.size >= maxDevices) {
      drop('device-cap', rinfo);
      return;
    }
    if (fromSender) fromSender.add(entry.endpoint);
    else endpointsBySender.set(rinfo.address, new Set([entry.endpoint]));
    const device = deviceFromEntry(entry, rinfo.address, via);
    byPair.set(key, device);
    if (unicastSet.has(rinfo.address) && !answeredTargets.has(rinfo.address)) unansweredTargets--;
    answeredTargets.add(rinfo.address);
    try {
      opts.onDevice?.(device);
    } catch (err) {
      log.warn({ err }, 'onDevice handler threw');
    }
    if (unicastSet.size > 0 && unansweredTargets === 0) {
      // Every target answered: the second probe type has no one left to wait for. With no multicast probe out there
      // is no reason to wait out the window either, but the rest of a burst (a second ProbeMatch from the same host,
      // a host's other address) still gets a moment to arrive.
      targetsAnswered.abort();
      if (!allAnswered && multicastSockets.length === 0) {
        allAnswered = setTimeout(() => internal.abort(), UDP_MAX_DELAY_MS);
      }
    }
  };

  const onMessage = (via: DiscoveredDevice['via']) => (msg: Buffer, rinfo: RemoteInfo) => {
    try {
      if (msg.length > MAX_DATAGRAM_BYTES) return drop('oversize', rinfo);
      const parsed = parseDiscoveryMessage(msg, scopeLimits);
      if (parsed.kind !== 'probe-matches') return drop(`unexpected-${parsed.kind}`, rinfo);
      if (parsed.relatesTo === undefined || parsed.relatesTo === '') return drop('missing-relates-to', rinfo);
      if (!outstanding.has(parsed.relatesTo)) return drop('unrelated', rinfo, parsed.relatesTo);
      if (parsed.messageId !== undefined) {
        const key = `${rinfo.address}|${parsed.messageId}`;
        if (seenMessageIds.has(key)) return drop('duplicate', rinfo);
        if (seenMessageIds.size < maxSeenIds) seenMessageIds.add(key);
      }
      for (const m of parsed.matches) accept(m, rinfo, via);
    } catch (err) {
      drop('unparsable', rinfo, err instanceof Error ? err.message : String(err));
    }
  };

  const probes = PROBE_TYPES.map((type) => {
    const id = newMessageId();
    outstanding.add(id);
    return Buffer.from(buildProbe(id, type), 'utf8');
  });

  let lastSend = Date.now();
  const send = async (socket: Socket, probe: Buffer, address: string): Promise<void> => {
    await sendTo(socket, probe, port, address);
    lastSend = Date.now();
  };
  try {
    // Multicast: one socket per interface, bound to its address, TTL 1 so probes never leave the link.
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
        for (const s of multicastSockets) for (const p of probes) await send(s, p, WSD_MULTICAST_ADDRESS);
      }
      // Unicast: the spec's repeats, plus one more round to the targets that are still silent (lost replies). In the
      // first round the second type goes only to the targets still silent a moment after the first (tds:Device, which
      // every compliant device lists) went to all: a host that answered it has named every endpoint it serves, and a
      // large sweep draws half the replies to parse (docs/discovery.md).
      if (unicastSocket && round <= UNICAST_UDP_REPEAT) {
        for (const [type, probe] of probes.entries()) {
          if (round === 0 && type > 0) await sleep(UDP_MIN_DELAY_MS, AbortSignal.any([signal, targetsAnswered.signal]));
          let i = 0;
          for (const target of opts.unicastTargets) {
            if (signal.aborted) return;
            if ((round > 0 || type > 0) && answeredTargets.has(target)) continue;
            await send(unicastSocket, probe, target);
            if (++i % 16 === 0) await new Promise((r) => setImmediate(r)); // let replies in while sweeping
          }
        }
      }
    };

    // Only rounds that send something: repeats while a multicast socket probes, the unicast ones while any target does.
    const rounds = Math.max(multicastSockets.length > 0 ? repeats : 0, unicastSocket ? UNICAST_UDP_REPEAT + 1 : 0);
    let delay = jitter(UDP_MIN_DELAY_MS, UDP_MAX_DELAY_MS);
    // The first round always goes out whole (every target probed once, however long sending takes); a repeat only when
    // its answer window still ends within the planned length. A round is never cut off by time, only by `signal`.
    for (let round = 0; round < rounds && !signal.aborted; round++) {
      if (round > 0) {
        if (Date.now() + delay + ANSWER_WINDOW_MS > plannedEnd) break;
        await sleep(delay, signal);
        delay = Math.min(delay * 2, UDP_UPPER_DELAY_MS);
      }
      if (!signal.aborted) await sendRound(round);
    }
    // Targets answer within APP_MAX_DELAY of the probe: the window counts from the last probe actually sent, not from
    // the start, so replies to a sweep that a starved machine sent late are still ours (docs/discovery.md).
    await sleep(Math.max(0, lastSend + ANSWER_WINDOW_MS - Date.now()), signal);
  } catch (err) {
    errors.push({
      source: 'discovery',
      code: 'unreachable',
      message: `discovery failed: ${err instanceof Error ? err.message : String(err)}`,
    });
  } finally {
    clearTimeout(allAnswered);
    outstanding.clear();
    for (const s of sockets) closeQuietly(s);
  }
  for (const [reason, { code, what }] of Object.entries(REPORTED_DROPS)) {
    if (tally.total(reason) > 0) log.warn({ reason, count: tally.total(reason) }, 'ws-discovery replies dropped');
    errors.push(...tally.toErrors(reason, what).map((e) => ({ ...e, code })));
  }
  return { devices: [...byPair.values()], dropped, errors };
}
