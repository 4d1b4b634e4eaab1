import { AuditLog, auditFilePath } from '../audit/audit-log.js';
import { auditKeyPath } from '../audit/signing-key.js';
import type { Config } from '../config/schema.js';
import { HelloListener } from '../discovery/hello-listener.js';
import { createEnforcer } from '../enforce/create-enforcer.js';
import type { NftRunner } from '../enforce/types.js';
import type { PinnedIdentity } from '../inventory/identity-pins.js';
import { runIsolatedScan } from '../inventory/isolated-scan.js';
import { type ScanDeps, scopeLimitsOf } from '../inventory/scan.js';
import type { ScanResult } from '../model/camera-records.js';
import { Outbox } from '../reporting/outbox.js';
import { Reporter } from '../reporting/reporter.js';
import { HoldStore } from '../retention/hold-store.js';
import { TreeFootageQuarantine } from '../retention/quarantine.js';
import type { SweepOptions } from '../retention/sweep.js';
import type { Logger } from '../util/logger.js';
import { Agent } from './agent.js';
import { filingFields } from './filing-fields.js';
import { createPolicyPort } from './profile-policy.js';
import { requestHandlers } from './request-handlers.js';
import { createRetentionModule } from './retention-module.js';
import { buildSweepOptions } from './sweep-options.js';

export interface CreateAgentOptions {
  config: Config;
  logger: Logger;
  version: string;
  /** Demo and tests: an nft stand-in, extra scan seams. */
  nft?: NftRunner;
  /** Test seams for an in-process scan; without them every scan runs in its own process (isolated-scan.ts). */
  scanOverrides?: Partial<ScanDeps>;
  /** Listen for Hello/Bye (default: config.discovery.listenHello and multicast on). */
  hello?: boolean;
  onScan?: (result: ScanResult) => void;
  /** Tests running from the TypeScript sources: the compiled retention worker (dist/). */
  sweepWorker?: string;
}

/** Wires the concrete capability modules into an Agent: the only place that knows all of them. */
export function createAgent(opts: CreateAgentOptions): Agent {
  const { config, logger } = opts;
  const outbox = new Outbox({
    dataDir: config.dataDir,
    logger: logger.child({ component: 'outbox' }),
    alarmEvents: config.mqtt.outboxAlarmEvents,
    maxEvents: config.mqtt.outboxMaxEvents,
  });
  const auditLog = new AuditLog({
    file: auditFilePath(config.dataDir),
    events: outbox,
    logger,
    signingKeyFile: auditKeyPath(config.dataDir),
    writer: 'agent',
  });
  const audit = {
    name: 'audit',
    append: (kind: Parameters<AuditLog['append']>[0], data: Record<string, unknown>) => auditLog.append(kind, data),
    start: async () => {
      await auditLog.start();
    },
    stop: () => auditLog.stop(),
  };
  const reporter = new Reporter({
    config,
    logger: logger.child({ component: 'mqtt' }),
    outbox,
    audit,
    auditHead: () => auditLog.current(),
    version: opts.version,
  });
  const policy = createPolicyPort({ config, logger: logger.child({ component: 'profiles' }), events: outbox, audit });
  const holds = new HoldStore(config.dataDir);

  let agent: Agent | undefined;
  let pinsOf: () => readonly PinnedIdentity[] = () => [];
  // Every sweep of the daemon (scheduled, requested, enforcement's quarantine) is built here, like the CLI's.
  const sweepInputs = async (): Promise<SweepOptions> => ({
    ...(await buildSweepOptions({
      config,
      profiles: policy.current(),
      inventory: agent?.lastInventory,
      holds,
      profileHolds: () => policy.current()?.retention.legalHolds ?? [],
      audit,
      events: outbox,
    })),
    ...(opts.sweepWorker ? { workerScript: opts.sweepWorker } : {}),
  });
  const quarantine =
    config.retention.recordingsDir && config.enforce.quarantineFootage
      ? new TreeFootageQuarantine(sweepInputs)
      : undefined;
  const enforcer = createEnforcer({
    config,
    events: outbox,
    audit,
    logger: logger.child({ component: 'enforce' }),
    ...(quarantine ? { quarantine } : {}),
    pins: () => pinsOf(),
    ...(opts.nft ? { overrides: { nft: opts.nft } } : {}),
  });

  const retention = config.retention.recordingsDir
    ? createRetentionModule({
        expression: config.schedule.sweep,
        options: sweepInputs,
        records: () => agent?.lastInventory?.cameras ?? [],
        events: outbox,
        logger: logger.child({ component: 'retention' }),
      })
    : undefined;

  const helloWanted = opts.hello ?? (config.discovery.listenHello && config.discovery.multicast);
  agent = new Agent({
    config,
    logger,
    audit,
    reporting: {
      name: 'reporting',
      events: outbox,
      start: () => reporter.start(),
      stop: () => reporter.stop(),
      health: () => reporter.health(),
      outboxDepth: () => outbox.stats().depth,
      seedInventory: (result) => reporter.seedInventory(result),
      publishInventory: async (result) => {
        reporter.setPolicyRevision(result.policyRevision);
        await reporter.updateInventory(result, filingFields(config, result, policy.current()));
      },
    },
    policy,
    enforcement: enforcer,
    retention,
    scan: async (scan) => {
      // Hello-announced URLs (scan.announced) are hints from the LAN, never the operator's --device targets.
      const request = { config, ...scan };
      if (!opts.scanOverrides) return runIsolatedScan({ ...request, logger });
      const { runScan } = await import('../inventory/scan.js');
      return runScan({ ...request, logger: logger.child({ component: 'scan' }), ...opts.scanOverrides });
    },
    ...(opts.onScan ? { onScan: opts.onScan } : {}),
    ...(helloWanted
      ? {
          hello: new HelloListener({
            interfaces: config.discovery.interfaces,
            logger,
            perSecond: config.discovery.helloPerSecond,
            perSenderPerSecond: config.discovery.helloPerSenderPerSecond,
            scopeLimits: scopeLimitsOf(config),
          }),
        }
      : {}),
  });
  const running = agent;
  reporter.registerHandlers(requestHandlers(running, policy, holds));
  pinsOf = () => running.pinnedIdentities();
  policy.onChange(() => {
    void running
      .redecide()
      .catch((err: unknown) => logger.error({ err: String(err) }, 're-deciding after a profile change failed'));
  });
  return running;
}
