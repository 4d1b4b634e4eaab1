import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConfig } from '../config/schema.js';
import { backoffDelay } from '../util/backoff.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { OrderedAcks } from './ordered-acks.js';

export interface TransportSession {
  /** QoS 1 publish; resolves on PUBACK, rejects when the connection is gone. */
  publish(topic: string, payload: string | Buffer, opts?: { retain?: boolean }): Promise<void>;
  /** Aborted when this connection closes. */
  readonly signal: AbortSignal;
  readonly protocol: 5 | 4;
}

export interface MqttTransportOptions {
  config: MqttConfig & { url: string };
  clientId: string;
  logger: Logger;
  /** The agent's last will; a registry has none. */
  will?: { topic: string; payload: string };
  subscriptions: string[];
  /**
   * Keep the broker session across reconnects (clean: false; MQTT 5 session expiry), so QoS 1 messages
   * published while this client is away are queued for it. Default: a clean session.
   */
  persistentSession?: { expiryS: number };
  onConnect: (session: TransportSession) => Promise<void>;
  /**
   * A returned promise holds back the next message until it settles (backpressure). Without `ackWhenSettled`
   * it holds back the PUBACK too; with it, the PUBACK waits for `settle` instead. `messageId` is the broker's
   * packet identifier of a QoS 1 delivery: a message delivered again after a reconnect keeps it.
   */
  onMessage: (
    topic: string,
    payload: Buffer,
    retained: boolean,
    settle: () => void,
    messageId: number | undefined,
  ) => void | Promise<void>;
  /**
   * Acknowledge a QoS 1 message only once the receiver calls `settle` (e.g. when it is stored), while later
   * messages keep being read: a receiver that dies first leaves it unacknowledged, and the broker delivers it
   * again to the persistent session. Acknowledgements go out in arrival order.
   */
  ackWhenSettled?: boolean;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  connectTimeoutMs?: number;
}

/** Passed to MQTT.js's handleMessage callback: go on to the next packet, the PUBACK is sent later. */
const ACK_DEFERRED = new CamwardenError(ErrorCode.Internal, 'acknowledgement deferred');

/** A PUBACK on this connection, if it is still up (otherwise the broker delivers the message again). */
function sendPuback(client: MqttClient, messageId: number): void {
  if (!client.connected) return;
  // MQTT.js has no public call for a PUBACK outside handleMessage; _sendPacket is what its own handler uses
  (client as unknown as { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void })._sendPacket({
    cmd: 'puback',
    messageId,
  });
}

/**
 * MQTT.js as a transport only: no built-in reconnect (we back off with full jitter), no offline queue
 * (the outbox is the queue). Tries MQTT 5 and falls back to 3.1.1 when the broker refuses the protocol.
 */
export class MqttTransport {
  private client: MqttClient | undefined;
  private stopped = true;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private protocol: 5 | 4;
  private abort: AbortController | undefined;
  private connected = false;
  private confirmed = false;
  private fastRetry = false;
  private paused = false;

  constructor(private readonly opts: MqttTransportOptions) {
    this.protocol = opts.config.protocol === '3.1.1' ? 4 : 5;
  }

  isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /**
   * Reads no further message (they stay unacknowledged, for the broker to deliver again); messages already
   * handed to onMessage are still acknowledged when settled. For a clean stop: pause, store, then stop().
   */
  pause(): void {
    this.paused = true;
  }

  /** Publishes `final` (retained) if connected, then disconnects cleanly so the will is not sent. */
  async stop(final?: { topic: string; payload: string }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    if (final && this.connected) {
      await Promise.race([
        client.publishAsync(final.topic, final.payload, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
    }
    await client.endAsync(false).catch(() => undefined);
    this.abort?.abort();
  }

  private tlsOptions(): Partial<IClientOptions> {
    const c = this.opts.config;
    const o: Partial<IClientOptions> = { rejectUnauthorized: c.rejectUnauthorized };
    if (c.caFile) o.ca = readFileSync(c.caFile);
    if (c.certFile) o.cert = readFileSync(c.certFile);
    if (c.keyFile) o.key = readFileSync(c.keyFile);
    return o;
  }

  private connect(): void {
    if (this.stopped) return;
    const c = this.opts.config;
    let tls: Partial<IClientOptions>;
    try {
      tls = this.opts.config.url.startsWith('mqtts:') ? this.tlsOptions() : {};
    } catch (err) {
      this.opts.logger.error({ err: errorMessage(err) }, 'mqtt: cannot read TLS files');
      this.scheduleReconnect();
      return;
    }
    const options: IClientOptions = {
      ...tls,
      clientId: this.opts.clientId,
      protocolVersion: this.protocol,
      clean: this.opts.persistentSession === undefined,
      ...(this.opts.persistentSession && this.protocol === 5
        ? { properties: { sessionExpiryInterval: this.opts.persistentSession.expiryS } }
        : {}),
      reconnectPeriod: 0,
      queueQoSZero: false,
      keepalive: c.keepaliveS,
      connectTimeout: this.opts.connectTimeoutMs ?? 10_000,
      ...(this.opts.will
        ? { will: { topic: this.opts.will.topic, payload: Buffer.from(this.opts.will.payload), qos: 1, retain: true } }
        : {}),
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
    };
    const client = mqtt.connect(c.url, options);
    this.client = client;
    const abort = new AbortController();
    let closed = false;
    client.on('connect', () => {
      this.connected = true;
      this.confirmed = true;
      this.attempt = 0;
      this.abort = abort;
      this.opts.logger.info({ protocol: this.protocol === 5 ? '5' : '3.1.1' }, 'mqtt: connected');
      client.subscribe(this.opts.subscriptions, { qos: 1 }, (err) => {
        if (err) this.opts.logger.warn({ err: errorMessage(err) }, 'mqtt: subscribe failed');
      });
      const session: TransportSession = {
        protocol: this.protocol,
        signal: abort.signal,
        publish: (topic, payload, o) =>
          client.publishAsync(topic, payload, { qos: 1, retain: o?.retain ?? false }).then(() => undefined),
      };
      this.opts.onConnect(session).catch((err) => {
        this.opts.logger.warn({ err: errorMessage(err) }, 'mqtt: connect sequence interrupted');
      });
    });
    // MQTT.js emits 'message' and then calls handleMessage, whose callback sends the PUBACK and lets the next
    // packet in: a promise from onMessage is awaited there.
    const acks = this.opts.ackWhenSettled ? new OrderedAcks((messageId) => sendPuback(client, messageId)) : undefined;
    let pending: Promise<void> | undefined;
    let held = false;
    client.on('message', (topic, payload, packet) => {
      held = this.paused;
      if (held) return;
      const deferred = acks !== undefined && packet.qos === 1 && packet.messageId !== undefined;
      const settle = deferred && packet.messageId !== undefined ? acks.take(packet.messageId) : () => undefined;
      const messageId = packet.qos === 1 ? packet.messageId : undefined;
      const result = this.opts.onMessage(topic, payload, packet.retain === true, settle, messageId);
      pending = result instanceof Promise ? result : undefined;
    });
    client.handleMessage = (packet, callback) => {
      // paused: neither acknowledged nor the next packet read, until the connection ends
      if (held) return;
      const wait = pending;
      pending = undefined;
      // with deferred acks, an error to the callback lets the next packet in without sending the PUBACK
      // (MQTT.js: `if (err) return done(err)`); OrderedAcks sends it when settled
      const next = acks && packet.qos === 1 ? () => callback(ACK_DEFERRED) : () => callback();
      if (!wait) return next();
      wait.then(next, next);
    };
    client.on('error', (err: Error & { code?: number }) => {
      // 1 (3.1.1) / 132 (5): unsupported protocol version; aedes also just closes on a v5 CONNECT
      if (this.opts.config.protocol === 'auto' && this.protocol === 5 && (err.code === 1 || err.code === 132)) {
        this.fastRetry = true;
      }
      this.opts.logger.warn({ err: errorMessage(err), code: err.code }, 'mqtt: error');
    });
    client.on('close', () => {
      if (closed) return;
      closed = true;
      const wasConnected = this.connected;
      this.connected = false;
      abort.abort();
      client.removeAllListeners('connect');
      client.end(true);
      if (!wasConnected && this.opts.config.protocol === 'auto' && !this.confirmed) {
        // closed before CONNACK and no protocol confirmed yet: brokers without MQTT 5 refuse it or just
        // drop the connection (aedes), so alternate 5 and 3.1.1
        this.protocol = this.protocol === 5 ? 4 : 5;
      }
      if (!this.stopped) {
        this.opts.logger.info('mqtt: connection closed');
        this.scheduleReconnect();
      }
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.fastRetry
      ? 0
      : backoffDelay(this.attempt, {
          baseMs: this.opts.backoffBaseMs ?? 1000,
          maxMs: this.opts.backoffMaxMs ?? 300_000,
          jitter: 'full',
        });
    this.fastRetry = false;
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
