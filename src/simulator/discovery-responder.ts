import { randomUUID } from 'node:crypto';
import { type BindOptions, createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { type DeviceModel, faultOf } from './device-model.js';
import {
  type AnnounceFields,
  bye,
  discoveryVersionFor,
  hello,
  type ParsedProbe,
  parseProbe,
  printerProbeMatch,
  probeMatches,
  scopesMatch,
  typesMatch,
} from './discovery-messages.js';
import { floodScopes } from './faults.js';
import type { RunningSimDevice } from './index.js';

const WS_DISCOVERY_PORT = 3702;
const WS_DISCOVERY_GROUP = '239.255.255.250';
const DEFAULT_MULTICAST_DELAY_MS = 100;

/**
 * Binds a UDP socket, then runs `bound` (which may throw); a failure of either rejects as ListenFailed, its message
 * `cannot` and the error's, its details the errno and which `socket` it was.
 */
function bindUdp(
  udp: UdpSocket,
  options: BindOptions,
  cannot: string,
  socket: string,
  bound: () => void = () => undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void =>
      reject(
        new CamwardenError(ErrorCode.ListenFailed, `${cannot}: ${err.message}`, {
          errno: (err as NodeJS.ErrnoException).code,
          socket,
        }),
      );
    udp.once('error', onError);
    udp.bind(options, () => {
      try {
        bound();
        udp.off('error', onError);
        resolve();
      } catch (err) {
        onError(err as Error);
      }
    });
  });
}

/**
 * The WS-Discovery side of a simulated device: answers Probes on its own address (and, with a multicast
 * interface, on the group), with the device's discovery faults, and announces Hello on start and Bye on stop.
 */
export class SimDiscoveryResponder {
  private udp: UdpSocket | undefined;
  private multicast: UdpSocket | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private messageNumber = 1;
  private readonly instanceId = Math.floor(Date.now() / 1000);
  private stopped = false;

  constructor(
    private readonly model: DeviceModel,
    private readonly stats: RunningSimDevice['stats'],
  ) {}

  async start(): Promise<void> {
    await this.bind();
    if (this.announces()) await this.announce('hello');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.udp && this.announces()) await this.announce('bye').catch(() => undefined);
    const closeUdp = (s: UdpSocket | undefined): Promise<void> =>
      new Promise((resolve) => {
        if (!s) return resolve();
        try {
          s.close(() => resolve());
        } catch {
          resolve();
        }
      });
    await Promise.all([closeUdp(this.udp), closeUdp(this.multicast)]);
    this.udp = undefined;
    this.multicast = undefined;
  }

  private announces(): boolean {
    return Boolean(this.model.spec.multicastInterface || this.model.spec.announceTo);
  }

  private async bind(): Promise<void> {
    const spec = this.model.spec;
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('error', () => undefined);
    udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo, false));
    const port = spec.discoveryPort ?? WS_DISCOVERY_PORT;
    await bindUdp(
      udp,
      { address: this.model.address, port, exclusive: false },
      `simulator ${this.model.name}: cannot bind ${this.model.address}:${port}/udp`,
      'ws-discovery',
    );
    try {
      udp.setSendBufferSize(256 * 1024);
    } catch {
      // Oversized datagrams may then fail to send; that is the fault's own business.
    }
    this.udp = udp;
    if (spec.multicastInterface) {
      udp.setMulticastInterface(spec.multicastInterface);
      udp.setMulticastTTL(1);
      udp.setMulticastLoopback(false);
      const mc = createSocket({ type: 'udp4', reuseAddr: true });
      mc.on('error', () => undefined);
      mc.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo, true));
      const iface = spec.multicastInterface;
      // Bound to the group address so unicast traffic for other addresses never reaches this socket.
      await bindUdp(
        mc,
        { address: WS_DISCOVERY_GROUP, port: WS_DISCOVERY_PORT, exclusive: false },
        `simulator ${this.model.name}: cannot join ${WS_DISCOVERY_GROUP} on ${iface}`,
        'multicast',
        () => mc.addMembership(WS_DISCOVERY_GROUP, iface),
      );
      this.multicast = mc;
    }
  }

  private announceFields(): AnnounceFields {
    const m = this.model;
    const foreign = faultOf(this.model.faults, 'foreign-xaddr');
    let xaddrs = [m.xaddr];
    if (foreign) {
      xaddrs = [String(foreign.xaddr ?? `http://${String(foreign.host ?? '127.254.254.254')}/onvif/device_service`)];
    } else if (m.style.extraXAddrs) {
      const o = m.address.split('.');
      const linkLocal = `169.254.${o[2] ?? 0}.${o[3] ?? 1}`;
      xaddrs = [
        m.xaddr,
        `https://${m.address}/onvif/device_service`,
        `http://${linkLocal}/onvif/device_service`,
        `https://${linkLocal}/onvif/device_service`,
      ];
    }
    return {
      endpoint: m.endpoint,
      types: m.style.types,
      scopes: this.discoveryScopes(),
      xaddrs,
      metadataVersion: 1,
      instanceId: this.instanceId,
      messageNumber: this.messageNumber++,
    };
  }

  /** The scopes a ProbeMatch or Hello carries; a scope-flood with `inDiscovery` stuffs in ~40 KB of them. */
  private discoveryScopes(): string[] {
    const flood = faultOf(this.model.faults, 'scope-flood');
    if (!flood?.inDiscovery) return this.model.state.scopes;
    const out: string[] = [];
    let bytes = 0;
    for (const scope of floodScopes(flood)) {
      bytes += scope.length + 1;
      if (bytes > 40_000) break; // formatting (multi-line vendors) adds up to half again
      out.push(scope);
    }
    return [...out, ...this.model.state.scopes];
  }

  private onDatagram(msg: Buffer, rinfo: RemoteInfo, viaMulticast: boolean): void {
    if (this.stopped) return;
    let probe: ParsedProbe | undefined;
    try {
      probe = parseProbe(msg);
    } catch {
      probe = undefined;
    }
    if (!probe) return;
    this.stats.probes += 1;
    const reply = this.probeReply(probe);
    if (!reply) return;
    const slow = faultOf(this.model.faults, 'slow');
    const delay =
      (this.model.spec.answerDelayMs ?? 0) +
      (slow ? Number(slow.ms ?? 1000) : 0) +
      (viaMulticast
        ? Math.floor(Math.random() * Number(this.model.spec.multicastReplyDelayMs ?? DEFAULT_MULTICAST_DELAY_MS))
        : 0);
    const send = (): void => {
      if (this.stopped || !this.udp) return;
      for (const r of reply) this.udp.send(r, rinfo.port, rinfo.address, () => undefined);
    };
    if (delay > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        send();
      }, delay);
      this.timers.add(t);
    } else send();
  }

  private probeReply(probe: ParsedProbe): Buffer[] | undefined {
    const m = this.model;
    const nonOnvif = faultOf(this.model.faults, 'non-onvif');
    if (nonOnvif) {
      const kind = nonOnvif.device === 'nas' ? 'nas' : 'printer';
      const xaddr = `http://${m.address}:5357/${m.endpoint.replace(/^urn:uuid:|^uuid:/, '')}/`;
      return [Buffer.from(printerProbeMatch(probe.messageId, m.endpoint, xaddr, kind))];
    }
    if (!typesMatch(probe.types) || !scopesMatch(probe.scopes, m.state.scopes, probe.matchBy)) return undefined;
    const version = discoveryVersionFor(m.style, probe.version);
    const spoof = faultOf(this.model.faults, 'spoof-relates-to');
    if (spoof) {
      // Answers, but never to the probe that was sent: RelatesTo names a message nobody sent, or is empty or absent.
      const relatesTo =
        spoof.relatesTo === 'none' ? undefined : spoof.relatesTo === 'empty' ? '' : `urn:uuid:${randomUUID()}`;
      return [Buffer.from(probeMatches(m.style, version, relatesTo, this.announceFields()))];
    }
    const oversized = faultOf(this.model.faults, 'oversized-datagram');
    if (oversized) {
      const target = Math.min(Number(oversized.bytes ?? 65_507), 65_507);
      const base = probeMatches(m.style, version, probe.messageId, this.announceFields(), '<!---->');
      const pad = Math.max(0, target - Buffer.byteLength(base));
      return [Buffer.from(base.replace('<!---->', `<!--${'x'.repeat(pad)}-->`))];
    }
    return [Buffer.from(probeMatches(m.style, version, probe.messageId, this.announceFields()))];
  }

  private async announce(what: 'hello' | 'bye'): Promise<void> {
    const udp = this.udp;
    if (!udp) return;
    const m = this.model;
    const version = discoveryVersionFor(m.style, '2005/04');
    const fields = this.announceFields();
    const text = what === 'hello' ? hello(m.style, version, fields) : bye(m.style, version, fields);
    const targets: Array<{ host: string; port: number }> = [];
    if (m.spec.multicastInterface) targets.push({ host: WS_DISCOVERY_GROUP, port: WS_DISCOVERY_PORT });
    for (const t of m.spec.announceTo ?? []) {
      const i = t.lastIndexOf(':');
      const port = i > 0 ? Number(t.slice(i + 1)) : WS_DISCOVERY_PORT;
      targets.push({ host: i > 0 ? t.slice(0, i) : t, port });
    }
    await Promise.all(
      targets.map(
        (t) =>
          new Promise<void>((resolve) => {
            try {
              udp.send(text, t.port, t.host, () => resolve());
            } catch {
              resolve();
            }
          }),
      ),
    );
  }
}
