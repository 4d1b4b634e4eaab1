import { z } from 'zod';
import { PARSED_ONCE } from '../util/parsed-once.js';

/** Strict objects: a misspelt key is an error that names it, not a silently ignored setting. */
const credentials = z.strictObject({
  username: z.string().min(1),
  password: z.string(),
});

export const siteSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only (it is an MQTT topic level)'),
  gatewayId: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only (it is an MQTT topic level)'),
  /** Art 14 filing fields reported in the inventory. */
  unit: z.string().default(''),
  location: z.string().default(''),
  /** Overrides the site profile's policyPack (device-profiles/packs: cn-2025, eu-gdpr, us-ny); unset = the site profile's, else cn-2025. */
  policyPack: z.string().min(1).optional(),
});

export const mqttSchema = z.strictObject({
  url: z
    .string()
    .regex(/^mqtts?:\/\//, 'must start with mqtt:// or mqtts://')
    .optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  prefix: z.string().min(1).default('camwarden'),
  clientId: z.string().optional(),
  /** PEM file paths for TLS / mutual TLS. */
  caFile: z.string().optional(),
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  rejectUnauthorized: z.boolean().default(true),
  protocol: z.enum(['auto', '5', '3.1.1']).default('auto'),
  keepaliveS: z.number().int().min(5).max(3600).default(30),
  maxInflight: z.number().int().min(1).max(1000).default(64),
  /** Outbox alarm thresholds; audit and enforcement events are never dropped. */
  outboxAlarmEvents: z.number().int().min(100).default(500_000),
  outboxMaxEvents: z.number().int().min(1000).default(2_000_000),
});

export const discoverySchema = z.strictObject({
  multicast: z.boolean().default(true),
  /** Hosts, `a.b.c.d-e` / `a.b.c.d-a.b.c.e` ranges or CIDRs probed by unicast UDP 3702. */
  probeTargets: z.array(z.string()).default([]),
  /** Known device service URLs interrogated without discovery. */
  devices: z.array(z.string().url()).default([]),
  /** IPv4 interface names or addresses to probe on; empty = all non-internal. */
  interfaces: z.array(z.string()).default([]),
  timeoutMs: z.number().int().min(200).max(60_000).default(3000),
  probeRepeats: z.number().int().min(1).max(5).default(3),
  listenHello: z.boolean().default(true),
  /** Cap on unicast targets of one scan, against typos like /8. */
  maxTargets: z.number().int().min(1).max(65_536).default(4096),
  // Bounds on what devices say about themselves (docs/discovery.md): past each, the excess is dropped and counted.
  /** Devices accepted from one scan's discovery replies. */
  maxDevices: z.number().int().min(1).max(65_536).default(4096),
  /** Devices (distinct EndpointReferences) accepted from one address per scan. */
  maxDevicesPerAddress: z.number().int().min(1).max(256).default(8),
  /** Scopes kept per device (discovery and GetScopes), before any policy work. */
  maxScopesPerDevice: z.number().int().min(1).max(4096).default(128),
  /** Longest scope kept, in characters; a longer one is dropped. */
  maxScopeLength: z.number().int().min(64).max(65_536).default(1024),
  /** Hello/Bye datagrams parsed per second, over all senders and per sender; the rest is dropped unread. */
  helloPerSecond: z.number().int().min(1).max(10_000).default(20),
  helloPerSenderPerSecond: z.number().int().min(1).max(1000).default(4),
  /** Hello-announced devices waiting for the next scan; more are dropped (a scan still finds them). */
  helloMaxPending: z.number().int().min(1).max(4096).default(64),
  /** Least time between two scans that Hellos trigger, seconds. */
  helloScanIntervalS: z.number().int().min(1).max(86_400).default(60),
});

export const onvifSchema = z.strictObject({
  username: z.string().optional(),
  password: z.string().optional(),
  /**
   * Per-device credentials, bound to an address, or to the identity (EndpointReference and/or serial) pinned at an
   * address on first authenticated contact; never chosen by what a device claims alone (docs/identity.md).
   */
  devices: z
    .array(
      z
        .strictObject({
          address: z.string().min(1).optional(),
          endpoint: z.string().min(1).optional(),
          serial: z.string().min(1).optional(),
          ...credentials.shape,
        })
        .refine((d) => d.address !== undefined || d.endpoint !== undefined || d.serial !== undefined, {
          message: 'give address, serial or endpoint: the device these credentials are for',
        }),
    )
    .default([]),
  callTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
  deviceTimeoutMs: z.number().int().min(500).max(300_000).default(20_000),
  concurrency: z.number().int().min(1).max(512).default(128),
  maxResponseBytes: z
    .number()
    .int()
    .min(16 * 1024)
    .max(64 * 1024 * 1024)
    .default(2 * 1024 * 1024),
  /** Elements one answer may hold: parse time and memory grow with them, not with bytes (docs/discovery.md). */
  maxResponseElements: z.number().int().min(1000).max(1_000_000).default(20_000),
  /** Clock skew beyond which a device gets a `clock-skew` error entry. */
  maxClockSkewS: z.number().int().min(1).default(300),
});

export const enforceSchema = z.strictObject({
  mode: z.enum(['on', 'dry-run', 'off']).default('on'),
  nftables: z
    .strictObject({
      enabled: z.boolean().default(true),
      nftPath: z.string().default('nft'),
      table: z.string().default('camwarden'),
    })
    .default({ enabled: true, nftPath: 'nft', table: 'camwarden' }),
  /** ONVIF levers act only where enabled here AND the vendor profile says they work. */
  levers: z
    .strictObject({
      rtspOff: z.boolean().default(false),
      privacyMask: z.boolean().default(false),
      recordingJobIdle: z.boolean().default(false),
    })
    .default({ rtspOff: false, privacyMask: false, recordingJobIdle: false }),
  quarantineFootage: z.boolean().default(true),
  retryBaseMs: z.number().int().min(100).default(2000),
  retryMaxMs: z.number().int().min(1000).default(300_000),
  /** Between scans, re-check the live rules against the last decisions this often (0 = only on scans). */
  reconcileIntervalMs: z.number().int().min(0).default(60_000),
});

export const retentionSchema = z.strictObject({
  recordingsDir: z.string().optional(),
  /** Layout id: built-in `generic`, `frigate`, or one from device-profiles/layouts. */
  layout: z.string().default('generic'),
  quarantineDir: z.string().optional(),
  quotaBytes: z.number().int().min(0).optional(),
  minFreeBytes: z.number().int().min(0).optional(),
  maxDeletesPerRun: z.number().int().min(1).default(200_000),
  /** A file modified less than this long ago is still being written. */
  activeWriteGraceS: z.number().int().min(0).default(120),
  /** A clock more than this far ahead of the newest recording is implausible (a recorder may be offline for months; a clock jumped to 2038 is not). */
  maxClockAheadDays: z.number().int().min(1).default(366),
  /** Sweep directories writable by group or others (refused by default: they could swap entries under the sweep). */
  allowSharedDirs: z.boolean().default(false),
});

export const scheduleSchema = z.strictObject({
  scan: z.string().default('*/5 * * * *'),
  sweep: z.string().default('0 * * * *'),
});

export const httpSchema = z.strictObject({
  /** `127.0.0.1:9464` to serve /healthz and /metrics; unset = off. */
  listen: z.string().optional(),
});

/** `camwarden registry`, the central side: it shares the broker settings (mqtt) with the agent. */
export const registrySchema = z.strictObject({
  /** host:port of the registry's HTTP API and pages. */
  listen: z
    .string()
    .regex(/^[^\s]*:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:8080')
    .default('127.0.0.1:8080'),
  /** postgres:// URL; unset = an embedded database (PGlite) under dataDir for a single machine. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** Subscribe as the MQTT 5 shared subscription $share/camwarden-registry/… so several registries split the load. */
  share: z.boolean().default(false),
  /** Stable MQTT client id (persistent session); unset = derived from the database's installation id (client-id.ts). */
  clientId: z.string().min(1).max(128).optional(),
  /** Bearer token every HTTP request must present; required to listen on a non-loopback address. */
  token: z.string().min(16, 'at least 16 characters').max(512).optional(),
  /** Listen on a non-loopback address without a token: an authenticating reverse proxy is in front. */
  allowUnauthenticated: z.boolean().default(false),
  /** Messages larger than this are refused and counted (`too-large`). */
  maxMessageBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(256 * 1024 * 1024)
    .default(4 * 1024 * 1024),
});

export const configSchema = z.strictObject({
  site: siteSchema,
  dataDir: z.string().default('./.camwarden'),
  profilesDir: z.string().optional(),
  commandKeysFile: z.string().optional(),
  /** Trusted Ed25519 keys (PEM) for signed device-profiles bundles; set = unsigned bundles are refused. */
  profileKeysFile: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mqtt: mqttSchema.default(mqttSchema.parse({}, PARSED_ONCE)),
  discovery: discoverySchema.default(discoverySchema.parse({}, PARSED_ONCE)),
  onvif: onvifSchema.default(onvifSchema.parse({}, PARSED_ONCE)),
  enforce: enforceSchema.default(enforceSchema.parse({}, PARSED_ONCE)),
  retention: retentionSchema.default(retentionSchema.parse({}, PARSED_ONCE)),
  schedule: scheduleSchema.default(scheduleSchema.parse({}, PARSED_ONCE)),
  http: httpSchema.default(httpSchema.parse({}, PARSED_ONCE)),
  registry: registrySchema.default(registrySchema.parse({}, PARSED_ONCE)),
});

export type Config = z.infer<typeof configSchema>;
export type MqttConfig = z.infer<typeof mqttSchema>;
export type DiscoveryConfig = z.infer<typeof discoverySchema>;
export type OnvifConfig = z.infer<typeof onvifSchema>;
export type EnforceConfig = z.infer<typeof enforceSchema>;
export type RetentionConfig = z.infer<typeof retentionSchema>;
export type RegistryConfig = z.infer<typeof registrySchema>;
