import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { AgentModule } from '../model/agent-module.js';
import type { AuditSink } from '../model/audit-sink.js';
import type { CameraRecord, ScanResult } from '../model/camera-records.js';
import { errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { isSafeId } from '../util/safe-id.js';
import { toCameraPayload } from './camera-payload.js';
import { diffInventories } from './inventory-diff.js';
import { type FilingFields, toInventoryPayload } from './inventory-payload.js';
import { MqttTransport, type TransportSession } from './mqtt-transport.js';
import type { Outbox } from './outbox.js';
import { CommandKeyFile } from './requests/command-keys.js';
import { RequestDispatcher } from './requests/dispatcher.js';
import { ReplayStore } from './requests/replay-store.js';
import type { RequestHandlers } from './requests/schemas.js';
import type { InventoryPayload, StatusPayload } from './schemas/index.js';

export interface ReporterOptions {
  config: Config;
  logger: Logger;
  outbox: Outbox;
  audit: AuditSink;
  version: string;
  handlers?: RequestHandlers;
  now?: () => Date;
  /** Overrides config.commandKeysFile (CAMWARDEN_COMMAND_KEYS is already folded into the config). */
  commandKeysFile?: string;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Republish status (outbox depth) this often while connected. */
  statusIntervalMs?: number;
  /** How long stop() waits for the outbox to drain before publishing `stopped`. */
  flushTimeoutMs?: number;
  /** The audit chain's head, published in `status` so a log cut short is detectable from outside. */
  auditHead?: () => { head: string; seq: number };
}

/**
 * The MQTT side of the agent: retained status/inventory/cameras, the outbox drain, and signed requests.
 * Works with no broker configured or reachable: events stay in the outbox.
 */
export class Reporter implements AgentModule {
  readonly name = 'reporting';
  readonly base: string;
  private transport: MqttTransport | undefined;
  private dispatcher: RequestDispatcher | undefined;
  private replayStore: ReplayStore | undefined;
  private session: TransportSession | undefined;
  private cameras: CameraRecord[] | undefined;
  private inventoryDoc: InventoryPayload | undefined;
  private goneCameras = new Set<string>();
  private policyRevision = '';
  private handlers: RequestHandlers;
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly opts: ReporterOptions) {
    const { config } = opts;
    this.base = `${config.mqtt.prefix}/${config.site.id}/${config.site.gatewayId}`;
    this.handlers = { ...(opts.handlers ?? {}) };
    this.now = opts.now ?? (() => new Date());
  }

  /** Handlers may be registered before or after start(). */
  registerHandlers(handlers: RequestHandlers): void {
    Object.assign(this.handlers, handlers);
  }

  async start(): Promise<void> {
    const { config, logger, outbox } = this.opts;
    await outbox.start();
    this.replayStore = new ReplayStore(join(config.dataDir, 'seen-requests.jsonl'), this.now);
    await this.replayStore.start();
    const keysFile = this.opts.commandKeysFile ?? config.commandKeysFile;
    const keyFile = keysFile ? new CommandKeyFile(keysFile) : undefined;
    if (keyFile) {
      try {
        await keyFile.current();
      } catch (err) {
        // fail closed: a broken key file refuses every request, the agent still runs
        logger.error({ err: errorMessage(err) }, 'command keys unusable: remote requests refused');
      }
    }
    // `status` answers from what the reporter knows unless the agent injects a richer handler
    this.handlers.status ??= async () => this.statusPayload('online');
    this.dispatcher = new RequestDispatcher({
      // re-read at each request: a key removed from the file is refused without a restart
      keys: keyFile ? () => keyFile.current() : undefined,
      handlers: this.handlers,
      replayStore: this.replayStore,
      events: outbox,
      audit: this.opts.audit,
      logger,
      now: this.now,
    });
    const url = config.mqtt.url;
    if (!url) {
      logger.info('mqtt: no broker configured; events stay in the outbox');
      return;
    }
    this.transport = new MqttTransport({
      config: { ...config.mqtt, url },
      clientId: config.mqtt.clientId ?? `camwarden-${config.site.id}-${config.site.gatewayId}`,
      logger,
      will: { topic: `${this.base}/status`, payload: JSON.stringify({ state: 'offline', bootId: outbox.bootId }) },
      subscriptions: [`${this.base}/request/#`],
      onConnect: (s) => this.onConnect(s),
      onMessage: (t, p, r) => void this.onMessage(t, p, r),
      ...(this.opts.backoffBaseMs !== undefined ? { backoffBaseMs: this.opts.backoffBaseMs } : {}),
      ...(this.opts.backoffMaxMs !== undefined ? { backoffMaxMs: this.opts.backoffMaxMs } : {}),
    });
    this.transport.start();
    this.statusTimer = setInterval(() => void this.publishStatus(), this.opts.statusIntervalMs ?? 60_000);
    this.statusTimer.unref();
  }

  /** Flushes the outbox (bounded), publishes retained `stopped`, disconnects. */
  async stop(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    const { outbox } = this.opts;
    if (this.transport?.isConnected()) await outbox.waitEmpty(this.opts.flushTimeoutMs ?? 5000);
    await this.transport?.stop({
      topic: `${this.base}/status`,
      payload: JSON.stringify(this.statusPayload('stopped')),
    });
    this.transport = undefined;
    await this.replayStore?.stop();
    await outbox.stop();
  }

  health(): Record<string, number | string | boolean> {
    const s = this.opts.outbox.stats();
    return {
      connected: this.transport?.isConnected() ?? false,
      outboxDepth: s.depth,
      outboxOldestAgeS: s.oldestAgeS,
      outboxDropped: s.dropped,
      outboxAlarm: s.alarm,
    };
  }

  setPolicyRevision(revision: string): void {
    this.policyRevision = revision;
  }

  /** After a restart: the persisted inventory becomes the baseline, so cameras already known are not `added` again. */
  seedInventory(scan: ScanResult): void {
    this.cameras ??= scan.cameras;
    this.policyRevision = scan.policyRevision || this.policyRevision;
  }

  /** Feed every scan result: emits camera.added/removed/decision.changed and republishes retained state. */
  async updateInventory(scan: ScanResult, filing: FilingFields = {}): Promise<void> {
    const events = diffInventories(this.cameras, scan.cameras);
    for (const e of events) await this.opts.outbox.emit(e.type, e.data);
    const nextIds = new Set(scan.cameras.map((c) => c.id));
    for (const c of this.cameras ?? []) if (!nextIds.has(c.id)) this.goneCameras.add(c.id);
    for (const id of nextIds) this.goneCameras.delete(id);
    this.cameras = scan.cameras;
    this.policyRevision = scan.policyRevision || this.policyRevision;
    this.inventoryDoc = toInventoryPayload(
      scan,
      {
        ...filing,
        unit: filing.unit ?? this.opts.config.site.unit,
        location: filing.location ?? this.opts.config.site.location,
      },
      { ts: this.now().toISOString(), bootId: this.opts.outbox.bootId },
    );
    if (this.session && !this.session.signal.aborted) await this.publishState(this.session).catch(() => undefined);
  }

  private statusPayload(state: 'online' | 'stopped'): StatusPayload {
    const counts = { total: 0, allow: 0, flag: 0, block: 0 };
    for (const c of this.cameras ?? []) {
      counts.total++;
      counts[c.decision.action]++;
    }
    const s = this.opts.outbox.stats();
    return {
      state,
      bootId: this.opts.outbox.bootId,
      ts: this.now().toISOString(),
      version: this.opts.version,
      policyRevision: this.policyRevision,
      cameras: counts,
      outbox: { depth: s.depth, oldestAgeS: s.oldestAgeS },
      ...(this.opts.auditHead ? { audit: this.opts.auditHead() } : {}),
    };
  }

  private async publishStatus(): Promise<void> {
    const s = this.session;
    if (!s || s.signal.aborted) return;
    await s
      .publish(`${this.base}/status`, JSON.stringify(this.statusPayload('online')), { retain: true })
      .catch(() => undefined);
  }

  /**
   * `<base>/cameras/<id>`, or undefined for an id that is not safe as one topic level (`/`, `#`, `+`, …): such a
   * record is still in the inventory document, it just gets no topic of its own.
   */
  private cameraTopic(id: string): string | undefined {
    if (isSafeId(id)) return `${this.base}/cameras/${id}`;
    this.opts.logger.warn({ cameraId: id.slice(0, 64) }, 'mqtt: camera id unsafe as a topic level; not published');
    return undefined;
  }

  /** Retained state. One refused publish never holds back the others, nor the event drain that follows. */
  private async publishState(s: TransportSession): Promise<void> {
    const pubs: Array<Promise<void>> = [];
    if (this.inventoryDoc)
      pubs.push(s.publish(`${this.base}/inventory`, JSON.stringify(this.inventoryDoc), { retain: true }));
    for (const c of this.cameras ?? []) {
      const topic = this.cameraTopic(c.id);
      if (topic) pubs.push(s.publish(topic, JSON.stringify(toCameraPayload(c)), { retain: true }));
    }
    for (const id of this.goneCameras) {
      const topic = this.cameraTopic(id);
      if (topic) pubs.push(s.publish(topic, '', { retain: true }));
    }
    pubs.push(s.publish(`${this.base}/status`, JSON.stringify(this.statusPayload('online')), { retain: true }));
    const failed = (await Promise.allSettled(pubs)).filter((r) => r.status === 'rejected');
    if (failed.length > 0 && !s.signal.aborted) {
      this.opts.logger.warn(
        { failed: failed.length, err: errorMessage((failed[0] as PromiseRejectedResult).reason) },
        'mqtt: some retained state was not published',
      );
    }
  }

  private async onConnect(s: TransportSession): Promise<void> {
    this.session = s;
    await this.publishState(s);
    await this.opts.outbox.drain(
      (ev) => s.publish(`${this.base}/events`, JSON.stringify(ev)),
      this.opts.config.mqtt.maxInflight,
      s.signal,
    );
  }

  private async onMessage(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    const prefix = `${this.base}/request/`;
    if (!topic.startsWith(prefix) || !this.dispatcher) return;
    const op = topic.slice(prefix.length);
    const res = await this.dispatcher.handle(topic, op, payload, retained);
    const s = this.session;
    if (!s || s.signal.aborted) return;
    const safeOp = /^[A-Za-z0-9/_.-]{1,64}$/.test(op) ? op : 'invalid';
    await s.publish(`${this.base}/response/${safeOp}`, JSON.stringify(res)).catch((err) => {
      this.opts.logger.warn({ err: errorMessage(err) }, 'mqtt: response not delivered');
    });
  }
}
