import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { DiscoveredDevice } from '../inventory/types.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import { MAX_DATAGRAM_BYTES, WSD_MULTICAST_ADDRESS, WSD_PORT } from './constants.js';
import { listIpv4Interfaces } from './interfaces.js';
import { deviceFromEntry, isOnvifEntry, parseDiscoveryMessage } from './messages.js';

export interface HelloListenerOptions {
  interfaces?: readonly string[];
  port?: number;
  logger?: Logger;
}

export interface HelloListenerEvents {
  hello: [DiscoveredDevice];
  bye: [{ endpoint: string; address: string }];
}

/**
 * Passive detection for `run`: listens on UDP 3702 for Hello/Bye, joined to the multicast group on each interface.
 * Never answers anything (the gateway is a discovery client only). start()/stop() lifecycle, no work in the constructor.
 */
export class HelloListener extends EventEmitter<HelloListenerEvents> {
  private socket: Socket | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: HelloListenerOptions = {}) {
    super();
    this.log = opts.logger ?? silentLogger();
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('error', (err) => this.log.warn({ err }, 'hello listener socket error'));
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(this.opts.port ?? WSD_PORT, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      for (const iface of listIpv4Interfaces(this.opts.interfaces ?? [])) {
        try {
          socket.addMembership(WSD_MULTICAST_ADDRESS, iface.address);
        } catch (err) {
          this.log.warn({ err, iface: iface.name }, 'cannot join WS-Discovery group');
        }
      }
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  stop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    try {
      if (msg.length > MAX_DATAGRAM_BYTES) return;
      const parsed = parseDiscoveryMessage(msg);
      if (parsed.kind === 'hello') {
        const entry = parsed.entry;
        if (!isOnvifEntry(entry) || entry.endpoint === '') return;
        this.emit('hello', deviceFromEntry(entry, rinfo.address, 'hello'));
      } else if (parsed.kind === 'bye' && parsed.endpoint !== '') {
        this.emit('bye', { endpoint: parsed.endpoint, address: rinfo.address });
      }
    } catch (err) {
      this.log.debug(
        { from: rinfo.address, reason: err instanceof Error ? err.message : String(err) },
        'hello dropped',
      );
    }
  }
}
