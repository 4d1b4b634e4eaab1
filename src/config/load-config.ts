import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ErrorCode, UsageError } from '../util/errors.js';
import { yamlParser } from '../util/lazy-yaml.js';
import { PARSED_ONCE } from '../util/parsed-once.js';
import { type Config, configSchema } from './schema.js';

/** The package's own device-profiles/ (used when CAMWARDEN_PROFILES_DIR and profilesDir are unset). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_PROFILES_DIR = resolve(PACKAGE_ROOT, 'device-profiles');

type Env = Record<string, string | undefined>;

type Raw = Record<string, unknown>;

function section(raw: Raw, key: string): Raw {
  const existing = raw[key];
  if (existing !== undefined && (typeof existing !== 'object' || existing === null || Array.isArray(existing))) {
    return {}; // let zod report the wrong type at that key
  }
  const obj = (existing as Raw | undefined) ?? {};
  raw[key] = obj;
  return obj;
}

function csv(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * The environment variables of docs/configuration.md (Environment) override the file. Returns which config key each one set (`enforce.mode`
 * → `CAMWARDEN_ENFORCE`), so an invalid value is reported under the variable's name, not the file's.
 */
/** A 0/1 environment variable; unset or empty = undefined (the file's value stands). */
function envFlag(env: Env, name: string): boolean | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (value !== '0' && value !== '1') throw new UsageError(`${name}: must be 0 or 1`, ErrorCode.InvalidConfig);
  return value === '1';
}

function applyEnv(raw: Raw, env: Env): Map<string, string> {
  const fromEnv = new Map<string, string>();
  const note = (key: string, variable: string): void => {
    if (env[variable]) fromEnv.set(key, variable);
  };
  note('site.id', 'CAMWARDEN_SITE_ID');
  note('site.gatewayId', 'CAMWARDEN_GATEWAY_ID');
  note('mqtt.url', 'CAMWARDEN_MQTT_URL');
  note('mqtt.username', 'CAMWARDEN_MQTT_USERNAME');
  note('mqtt.password', 'CAMWARDEN_MQTT_PASSWORD');
  note('dataDir', 'CAMWARDEN_DATA_DIR');
  note('profilesDir', 'CAMWARDEN_PROFILES_DIR');
  note('commandKeysFile', 'CAMWARDEN_COMMAND_KEYS');
  note('logLevel', 'CAMWARDEN_LOG_LEVEL');
  note('retention.recordingsDir', 'CAMWARDEN_RECORDINGS_DIR');
  note('onvif.username', 'CAMWARDEN_ONVIF_USERNAME');
  note('onvif.password', 'CAMWARDEN_ONVIF_PASSWORD');
  note('discovery.probeTargets', 'CAMWARDEN_PROBE_TARGETS');
  note('schedule.scan', 'CAMWARDEN_SCAN_SCHEDULE');
  note('schedule.sweep', 'CAMWARDEN_SWEEP_SCHEDULE');
  note('enforce.mode', 'CAMWARDEN_ENFORCE');
  note('registry.databaseUrl', 'CAMWARDEN_REGISTRY_DATABASE_URL');
  note('registry.listen', 'CAMWARDEN_REGISTRY_LISTEN');
  note('registry.token', 'CAMWARDEN_REGISTRY_TOKEN');

  const site = section(raw, 'site');
  if (env.CAMWARDEN_SITE_ID) site.id = env.CAMWARDEN_SITE_ID;
  if (env.CAMWARDEN_GATEWAY_ID) site.gatewayId = env.CAMWARDEN_GATEWAY_ID;
  site.id ??= 'site';
  site.gatewayId ??= sanitizeTopicLevel(hostname());

  const mqtt = section(raw, 'mqtt');
  if (env.CAMWARDEN_MQTT_URL !== undefined) mqtt.url = env.CAMWARDEN_MQTT_URL || undefined;
  if (env.CAMWARDEN_MQTT_USERNAME) mqtt.username = env.CAMWARDEN_MQTT_USERNAME;
  if (env.CAMWARDEN_MQTT_PASSWORD) mqtt.password = env.CAMWARDEN_MQTT_PASSWORD;

  if (env.CAMWARDEN_DATA_DIR) raw.dataDir = env.CAMWARDEN_DATA_DIR;
  if (env.CAMWARDEN_PROFILES_DIR) raw.profilesDir = env.CAMWARDEN_PROFILES_DIR;
  if (env.CAMWARDEN_COMMAND_KEYS) raw.commandKeysFile = env.CAMWARDEN_COMMAND_KEYS;
  if (env.CAMWARDEN_LOG_LEVEL) raw.logLevel = env.CAMWARDEN_LOG_LEVEL;

  const retention = section(raw, 'retention');
  if (env.CAMWARDEN_RECORDINGS_DIR) retention.recordingsDir = env.CAMWARDEN_RECORDINGS_DIR;

  const onvif = section(raw, 'onvif');
  if (env.CAMWARDEN_ONVIF_USERNAME) onvif.username = env.CAMWARDEN_ONVIF_USERNAME;
  if (env.CAMWARDEN_ONVIF_PASSWORD !== undefined) onvif.password = env.CAMWARDEN_ONVIF_PASSWORD;

  const discovery = section(raw, 'discovery');
  if (env.CAMWARDEN_PROBE_TARGETS) discovery.probeTargets = csv(env.CAMWARDEN_PROBE_TARGETS);
  const multicast = envFlag(env, 'CAMWARDEN_MULTICAST');
  if (multicast !== undefined) discovery.multicast = multicast;

  const schedule = section(raw, 'schedule');
  if (env.CAMWARDEN_SCAN_SCHEDULE) schedule.scan = env.CAMWARDEN_SCAN_SCHEDULE;
  if (env.CAMWARDEN_SWEEP_SCHEDULE) schedule.sweep = env.CAMWARDEN_SWEEP_SCHEDULE;

  const enforce = section(raw, 'enforce');
  if (env.CAMWARDEN_ENFORCE) enforce.mode = env.CAMWARDEN_ENFORCE;

  const registry = section(raw, 'registry');
  if (env.CAMWARDEN_REGISTRY_DATABASE_URL) registry.databaseUrl = env.CAMWARDEN_REGISTRY_DATABASE_URL;
  if (env.CAMWARDEN_REGISTRY_LISTEN) registry.listen = env.CAMWARDEN_REGISTRY_LISTEN;
  const share = envFlag(env, 'CAMWARDEN_REGISTRY_SHARE');
  if (share !== undefined) registry.share = share;
  if (env.CAMWARDEN_REGISTRY_TOKEN) registry.token = env.CAMWARDEN_REGISTRY_TOKEN;
  const allow = envFlag(env, 'CAMWARDEN_REGISTRY_ALLOW_UNAUTHENTICATED');
  if (allow !== undefined) registry.allowUnauthenticated = allow;
  return fromEnv;
}

export function sanitizeTopicLevel(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_.-]/g, '-');
  return cleaned.length > 0 ? cleaned : 'gateway';
}

/** `file: path.to.field: message` for every problem, so an integrator can fix them all in one go. */
export function formatIssues(source: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${source}: ${path}: ${issue.message}`;
    })
    .join('\n');
}

export interface LoadedConfig {
  config: Config;
  /** The file that was read, if any. */
  file: string | undefined;
  /** Directory relative paths in the file are resolved against. */
  baseDir: string;
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): LoadedConfig {
  const explicit = env.CAMWARDEN_CONFIG;
  const candidate = explicit ? resolve(cwd, explicit) : resolve(cwd, 'camwarden.yaml');
  let raw: Raw = {};
  let file: string | undefined;
  if (explicit && !existsSync(candidate)) {
    throw new UsageError(`CAMWARDEN_CONFIG: ${candidate}: no such file`, ErrorCode.InvalidConfig);
  }
  if (existsSync(candidate)) {
    file = candidate;
    const doc = yamlParser().parseDocument(readFileSync(candidate, 'utf8'), { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new UsageError(
        doc.errors.map((e) => `${candidate}: ${e.message.split('\n')[0]}`).join('\n'),
        ErrorCode.InvalidConfig,
      );
    }
    const parsed: unknown = doc.toJS();
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new UsageError(`${candidate}: (root): expected a mapping`, ErrorCode.InvalidConfig);
      }
      raw = parsed as Raw;
    }
  }
  const fromEnv = applyEnv(raw, env);
  const result = configSchema.safeParse(raw, PARSED_ONCE);
  if (!result.success) {
    // Each problem is named where the value came from: the variable that set it, else the file.
    const lines = result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      const variable = [...fromEnv].find(([k]) => key === k || key.startsWith(`${k}.`))?.[1];
      return variable ? `${variable}: ${issue.message}` : formatIssues(file ?? 'environment', [issue]);
    });
    throw new UsageError(lines.join('\n'), ErrorCode.InvalidConfig);
  }
  const baseDir = file ? dirname(file) : cwd;
  const config = result.data;
  config.dataDir = resolve(baseDir, config.dataDir);
  config.profilesDir = config.profilesDir ? resolve(baseDir, config.profilesDir) : BUNDLED_PROFILES_DIR;
  if (config.retention.recordingsDir) config.retention.recordingsDir = resolve(baseDir, config.retention.recordingsDir);
  if (config.retention.quarantineDir) config.retention.quarantineDir = resolve(baseDir, config.retention.quarantineDir);
  if (config.commandKeysFile) config.commandKeysFile = resolve(baseDir, config.commandKeysFile);
  if (config.profileKeysFile) config.profileKeysFile = resolve(baseDir, config.profileKeysFile);
  return { config, file, baseDir };
}
