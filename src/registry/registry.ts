import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { MqttTransport } from '../reporting/mqtt-transport.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { defaultClientId } from './client-id.js';
import { type Database, redactUrl } from './database.js';
import { openEmbedded } from './embedded-database.js';
import { assertSafeListen } from './http-auth.js';
import { RegistryHttpServer } from './http-server.js';
import { IngestQueue, type IngestQueueOptions, type IngestStats } from './ingest-queue.js';
import { LiveUpdates } from './live-updates.js';
import { migrate } from './migrate.js';
import { parseMessage } from './parse-message.js';
import { openPostgres } from './postgres-database.js';
import { RejectCounter } from './reject-counter.js';
import { registryTopicFilter } from './topics.js';
import type { CommitSummary } from './write-batch.js';

export interface RegistryOptions {
  config: Config;
  logger: Logger;
  /** Batch and backpressure tuning (benches, tests). */
  ingest?: Pick<IngestQueueOptions, 'maxBatch' | 'lingerMs' | 'highWater'>;
  /** How long stop() waits for queued messages to be stored. */
  drainTimeoutMs?: number;
  /** Broker reconnect backoff (tests). */
  backoffBaseMs?: number;
}

/** The embedded database's directory under the data dir. */
export function embeddedDatabaseDir(dataDir: string): string {
  return join(dataDir, 'registry-db');
}

async function openRegistryDatabase(config: Config, logger: Logger): Promise<Database> {
  const url = config.registry.databaseUrl;
  if (url) {
    logger.info({ database: redactUrl(url) }, 'registry: PostgreSQL');
    return openPostgres(url);
  }
  const dir = embeddedDatabaseDir(config.dataDir);
  logger.info({ database: dir }, 'registry: embedded database (PGlite)');
  return openEmbedded(dir);
}

/**
 * `camwarden registry`: subscribes to every gateway under the prefix, stores what they publish, and serves the
 * API and pages. Data flows one way: MQTT → parse (validate or refuse) → batched store → HTTP reads.
 */
export class Registry {
  readonly rejects: RejectCounter;
  private db: Database | undefined;
  private queue: IngestQueue | undefined;
  private http: RegistryHttpServer | undefined;
  private transport: MqttTransport | undefined;
  private mqttClientId = '';
  private readonly live = new LiveUpdates();

  constructor(private readonly opts: RegistryOptions) {
    this.rejects = new RejectCounter(opts.logger);
  }

  get url(): string {
    return this.http?.url ?? '';
  }

  /** The MQTT client id in use (its persistent session is this registry's queue at the broker). */
  get clientId(): string {
    return this.mqttClientId;
  }

  get database(): Database {
    if (!this.db) throw new CamwardenError(ErrorCode.Internal, 'registry not started');
    return this.db;
  }

  /** Called after each committed batch (benches measure row visibility with it). */
  onCommit(listener: (s: CommitSummary) => void): () => void {
    if (!this.queue) throw new CamwardenError(ErrorCode.Internal, 'registry not started');
    return this.queue.onCommit(listener);
  }

  /** Messages queued, stored (duplicates included), batches and retries so far. */
  ingestStats(): IngestStats {
    return this.queue?.stats() ?? { queued: 0, stored: 0, batches: 0, retries: 0 };
  }

  isConnected(): boolean {
    return this.transport?.isConnected() ?? false;
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    const url = config.mqtt.url;
    if (!url) {
      throw new CamwardenError(ErrorCode.InvalidConfig, 'CAMWARDEN_MQTT_URL (mqtt.url): the registry needs a broker');
    }
    assertSafeListen(config.registry);
    this.db = await openRegistryDatabase(config, logger);
    try {
      const applied = await migrate(this.db);
      if (applied.length > 0) logger.info({ applied }, 'registry: database migrated');
    } catch (err) {
      await this.db.close().catch(() => undefined);
      this.db = undefined;
      throw err;
    }
    const queue = new IngestQueue({ db: this.db, logger, rejects: this.rejects, ...this.opts.ingest });
    this.queue = queue;
    queue.onCommit((s) => this.live.changed(s.sites));
    this.http = new RegistryHttpServer(config.registry.listen, {
      db: this.db,
      logger,
      live: this.live,
      rejects: () => this.rejects.snapshot(),
      ingest: () => queue.stats(),
      mqttConnected: () => this.isConnected(),
      token: config.registry.token,
    });
    await this.http.start();
    const { prefix } = config.mqtt;
    const maxBytes = config.registry.maxMessageBytes;
    const filter = registryTopicFilter(prefix, config.registry.share);
    const clientId =
      config.registry.clientId ?? (await defaultClientId(this.db, { share: config.registry.share, host: hostname() }));
    this.mqttClientId = clientId;
    this.transport = new MqttTransport({
      config: { ...config.mqtt, url },
      clientId,
      logger,
      subscriptions: [filter],
      // the broker keeps queuing for us while we restart (within its own limits)
      persistentSession: { expiryS: 86_400 },
      // a message is acknowledged once committed: one not yet stored when we die is delivered again
      ackWhenSettled: true,
      onConnect: async () => undefined,
      onMessage: (topic, payload, retained, settle, messageId) => {
        // packet ids belong to the session: with the client id they name one delivery, kept when it is redelivered
        const parsed = parseMessage(prefix, topic, payload, retained, {
          maxBytes,
          receivedAt: new Date(),
          delivery: messageId === undefined ? undefined : `${clientId}#${messageId}`,
        });
        if ('reject' in parsed) {
          this.rejects.count(parsed.reject, { topic, detail: parsed.detail, bytes: payload.length });
          settle();
          return undefined;
        }
        return queue.offer(parsed.item, settle);
      },
      ...(this.opts.backoffBaseMs !== undefined ? { backoffBaseMs: this.opts.backoffBaseMs, backoffMaxMs: 2000 } : {}),
    });
    this.transport.start();
    logger.info({ url: this.http.url, subscription: filter, clientId }, 'registry: started');
  }

  /**
   * Reads nothing new, stores what is queued (acknowledging it while still connected), disconnects, then closes
   * HTTP and the database. What is left unstored stays unacknowledged: the broker delivers it after a restart.
   */
  async stop(): Promise<void> {
    const { logger } = this.opts;
    this.transport?.pause();
    if (this.queue) {
      const drained = await this.queue.drain(this.opts.drainTimeoutMs ?? 10_000);
      if (!drained) {
        logger.error(
          { queued: this.queue.stats().queued },
          'registry: stopped with messages not stored (unacknowledged: the broker delivers them again)',
        );
      }
      this.queue.stop();
    }
    // bounded: a disconnect must not hold the stop up while the broker is unreachable
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.transport?.stop(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 5000);
      }),
    ]);
    clearTimeout(timer);
    this.transport = undefined;
    await this.http?.stop();
    this.http = undefined;
    await this.db?.close().catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'registry: db close'));
    this.db = undefined;
  }
}
