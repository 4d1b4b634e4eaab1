import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../../agent/create-agent.js';
import { loadConfig } from '../../config/load-config.js';
import { channelId, idFromEndpoint } from '../../inventory/identity.js';
import type { ScanResult } from '../../model/camera-records.js';
import { Registry } from '../../registry/registry.js';
import { demoSite, startSimulatedSite } from '../../simulator/index.js';
import { errorMessage, UsageError } from '../../util/errors.js';
import { createLogger } from '../../util/logger.js';
import { type CommandIO, type CommandSpec, intFlag, type ParsedValues } from '../command.js';
import { writeDemoRecordings } from '../demo/demo-recordings.js';
import { writeDemoProfiles } from '../demo/demo-site-profile.js';
import { startEmbeddedBroker } from '../demo/embedded-broker.js';
import { startMqttMonitor } from '../demo/mqtt-monitor.js';
import { formatScanTable } from '../output/scan-table.js';
import { VERSION } from '../version.js';

const SHOWN_EVENTS: ReadonlySet<string> = new Set([
  'decision.changed',
  'enforcement.applied',
  'enforcement.reverted',
  'enforcement.failed',
  'retention.swept',
  'retention.quarantined',
  'retention.shortfall',
  'retention.refused',
  'retention.mismatch',
]);

/** 127.0.0.1:8080 when it is free (as the README says), else any free port: the demo must start regardless. */
async function demoRegistryConfig(env: Record<string, string | undefined>, cwd: string) {
  let listen = env.CAMWARDEN_REGISTRY_LISTEN;
  if (!listen) listen = (await portFree(8080)) ? '127.0.0.1:8080' : '127.0.0.1:0';
  return loadConfig({ ...env, CAMWARDEN_REGISTRY_LISTEN: listen }, cwd).config;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** `camwarden demo`: a whole site in a box on loopback, with the agent running against it. */
export const demoCommand: CommandSpec = {
  name: 'demo',
  summary:
    'A simulated site (13 ONVIF cameras of 7 vendor styles in allowed, prohibited, consent-required and unknown ' +
    'zones, plus an NVR with recordings) on loopback, an embedded MQTT broker unless CAMWARDEN_MQTT_URL is set, ' +
    'the agent running against it, and the central registry (embedded database) whose fleet page URL it prints. ' +
    'Probes by unicast only. Ctrl-C stops everything.',
  options: {
    'exit-after': {
      type: 'string',
      valueName: 'S',
      description: 'Stop by itself after S seconds (default: run until Ctrl-C)',
    },
    interval: { type: 'string', valueName: 'S', description: 'Seconds between scans (default 20)' },
    'registry-listen': {
      type: 'string',
      valueName: 'HOST:PORT',
      description: 'Where the demo registry serves its fleet page (default 127.0.0.1:8080, else a free port)',
    },
    'keep-dir': { type: 'boolean', description: 'Keep the temporary data and recordings directory' },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    const exitAfterS = values['exit-after'] === undefined ? undefined : intFlag(values, 'exit-after', 0);
    const intervalS = intFlag(values, 'interval', 20);
    if (intervalS > 59) throw new UsageError(`--interval: at most 59 seconds, got ${intervalS}`);
    const out = io.stdout;
    const work = await mkdtemp(join(tmpdir(), 'camwarden-demo-'));
    const base = `127.${20 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}.10`;
    const cleanups: Array<() => Promise<void>> = [];
    let code = 0;
    try {
      out.write(`camwarden demo: simulated site on ${base} and up (loopback only), work dir ${work}\n`);
      // The simulated cameras require authentication, as real ones do, with a password made for this run: only an
      // authenticated interrogation pins a camera's identity or re-verifies a block (docs/identity.md).
      const onvifUser = io.env.CAMWARDEN_ONVIF_USERNAME ?? 'admin';
      const onvifPassword = io.env.CAMWARDEN_ONVIF_PASSWORD ?? randomBytes(12).toString('base64url');
      const auth = { mode: 'both', username: onvifUser, password: onvifPassword } as const;
      const site = await startSimulatedSite(demoSite(base, { httpPort: 8080, auth }));
      cleanups.push(() => site.stop());
      const last = site.devices.at(-1)?.address ?? base;
      // A simulated device's camera id as the agent will derive it: `name`, or `name:<channel token>`.
      const cameraId = (name: string): string | undefined => {
        const [device = '', channel] = name.split(':');
        const endpoint = site.devices.find((d) => d.spec.name === device)?.endpoint;
        const id = endpoint === undefined ? undefined : idFromEndpoint(endpoint);
        return id === undefined || channel === undefined ? id : channelId(id, channel);
      };
      const recorded = ['lobby', 'toilet-2f', 'factory-dahua', 'nvr:VideoSource_1', 'nvr:VideoSource_2']
        .map(cameraId)
        .filter((id) => id !== undefined);
      const profilesDir = await writeDemoProfiles(join(work, 'profiles'), cameraId, new Date());
      out.write(`site profile: ${join(profilesDir, 'site', 'site.yaml')} (classes, filing, signage, one consent)\n`);
      const recordings = join(work, 'recordings');
      const { files } = await writeDemoRecordings(recordings, recorded, { days: 40, segmentsPerDay: 3 });
      out.write(`recordings: ${files} segments over 40 days for ${recorded.length} cameras in ${recordings}\n`);

      let mqttUrl = io.env.CAMWARDEN_MQTT_URL;
      if (!mqttUrl) {
        const broker = await startEmbeddedBroker();
        cleanups.push(() => broker.stop());
        mqttUrl = broker.url;
        out.write(`embedded MQTT broker: ${mqttUrl}\n`);
      }
      const env = {
        ...io.env,
        CAMWARDEN_SITE_ID: io.env.CAMWARDEN_SITE_ID ?? 'demo-site',
        CAMWARDEN_GATEWAY_ID: io.env.CAMWARDEN_GATEWAY_ID ?? 'demo-gw',
        CAMWARDEN_MQTT_URL: mqttUrl,
        CAMWARDEN_DATA_DIR: join(work, 'data'),
        CAMWARDEN_RECORDINGS_DIR: recordings,
        CAMWARDEN_PROFILES_DIR: profilesDir,
        // Unicast only: the demo never sends multicast on the host's interfaces.
        CAMWARDEN_PROBE_TARGETS: `${base}-${last.split('.').at(-1)}`,
        CAMWARDEN_MULTICAST: '0',
        CAMWARDEN_ONVIF_USERNAME: onvifUser,
        CAMWARDEN_ONVIF_PASSWORD: onvifPassword,
        CAMWARDEN_SCAN_SCHEDULE: `*/${intervalS} * * * * *`,
        CAMWARDEN_SWEEP_SCHEDULE: '*/30 * * * * *',
        CAMWARDEN_LOG_LEVEL: io.env.CAMWARDEN_LOG_LEVEL ?? 'error',
        ...(typeof values['registry-listen'] === 'string'
          ? { CAMWARDEN_REGISTRY_LISTEN: values['registry-listen'] }
          : {}),
      };
      const { config } = loadConfig(env, io.cwd);
      config.discovery.timeoutMs = Math.min(config.discovery.timeoutMs, 1500);
      config.retention.quarantineDir = join(work, 'quarantine');
      const logger = createLogger({ level: config.logLevel, destination: io.stderr });

      const monitor = await startMqttMonitor(
        mqttUrl,
        `${config.mqtt.prefix}/${config.site.id}/${config.site.gatewayId}/#`,
        out,
        {
          filter: (topic) => !topic.includes('/cameras/'),
          showEvent: (type) => SHOWN_EVENTS.has(type),
          ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
          ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
        },
      );
      cleanups.push(() => monitor.stop());

      // The central side too: a registry with its embedded database, reading the same broker. It subscribes
      // before the agent starts, so it sees the agent's events from the first one (bounded wait).
      const registry = new Registry({ config: await demoRegistryConfig(env, io.cwd), logger });
      cleanups.push(() => registry.stop());
      try {
        await registry.start();
        for (let waited = 0; !registry.isConnected() && waited < 5000; waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
        }
        out.write(`registry: fleet page ${registry.url} (embedded database in ${join(work, 'data')})\n`);
      } catch (err) {
        out.write(`registry did not start (the demo goes on without it): ${errorMessage(err)}\n`);
      }

      // The demo's cameras are on loopback, which the gateway never firewalls; the nft stand-in shows the
      // ruleset it would load, so nothing on this host changes.
      const agent = createAgent({
        config,
        logger,
        version: VERSION,
        hello: false,
        onScan: (result: ScanResult) => {
          out.write(
            `\n== decisions at ${result.scannedAt} (policy ${result.policyRevision})\n${formatScanTable(result)}\n`,
          );
        },
        nft: async (args, stdin) => {
          if (args[0] === '-j') return { stdout: '{"nftables":[]}', stderr: '' };
          if (stdin) out.write(`  nft (not applied in the demo): ${stdin.split('\n').filter(Boolean).length} lines\n`);
          return { stdout: '', stderr: '' };
        },
      });
      await agent.start();

      const stopped = new Promise<void>((resolve) => {
        const onSignal = () => resolve();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        if (exitAfterS !== undefined) setTimeout(resolve, exitAfterS * 1000).unref();
      });
      out.write(`agent running; events of interest are shown as they are published. Ctrl-C to stop.\n`);
      await stopped;
      out.write('\nstopping…\n');
      await agent.stop();
      out.write(`stopped cleanly; ${monitor.count} MQTT messages seen.\n`);
    } catch (err) {
      code = 1;
      throw err;
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      if (values['keep-dir'] !== true) await rm(work, { recursive: true, force: true });
    }
    return code;
  },
};
