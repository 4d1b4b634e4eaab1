import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { loadConfig } from '../../src/config/load-config.js';
import { configSchema } from '../../src/config/schema.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const EXAMPLE_YAML = join(DEPLOY, 'camwarden.example.yaml');
const EXAMPLE_ENV = join(DEPLOY, 'camwarden.env.example');
const LOAD_CONFIG_SRC = join(import.meta.dirname, '..', '..', 'src', 'config', 'load-config.ts');

type AnyDef = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType };

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Strips default/optional/nullable wrappers down to the schema that says what the value is. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    if (def.innerType && ['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch'].includes(def.type)) {
      current = def.innerType;
    } else {
      return current;
    }
  }
}

/**
 * Every key path of the config schema, e.g. `mqtt.caFile`, `enforce.nftables.table`, `onvif.devices[].address`,
 * walked from the zod shapes so a key added to schema.ts shows up here without touching this test.
 */
function schemaKeyPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = defOf(unwrap(schema));
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, child]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [path, ...schemaKeyPaths(child, path)];
    });
  }
  if (def.type === 'array' && def.element) return schemaKeyPaths(def.element, `${prefix}[]`);
  return [];
}

/** Key paths present in a parsed document; array elements are merged under `[]`. */
function documentKeyPaths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const p of documentKeyPaths(item, `${prefix}[]`)) out.add(p);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.add(path);
      for (const p of documentKeyPaths(child, path)) out.add(p);
    }
  }
  return out;
}

/**
 * The example's convention: `# text` is prose, `#key: value` (no space after "#", or a deeper indentation inside
 * a disabled block) is a setting that is off by default. Enabling all of them must still give a valid config.
 */
function enableDisabledSettings(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/^(\s*)#(?=[^\s#]|\s\s)/, '$1'))
    .join('\n');
}

function envAssignments(text: string): { active: Record<string, string>; mentioned: Set<string> } {
  const active: Record<string, string> = {};
  const mentioned = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^(#?)(CAMWARDEN_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m?.[2]) continue;
    mentioned.add(m[2]);
    if (m[1] === '') active[m[2]] = m[3] ?? '';
  }
  return { active, mentioned };
}

describe('deploy/camwarden.example.yaml', () => {
  const text = readFileSync(EXAMPLE_YAML, 'utf8');

  it('is a valid config as shipped, with production paths', () => {
    const { config, file } = loadConfig({ CAMWARDEN_CONFIG: EXAMPLE_YAML });
    expect(file).toBe(EXAMPLE_YAML);
    expect(config.dataDir).toBe('/var/lib/camwarden');
    expect(config.retention.recordingsDir).toBe('/srv/recordings');
    // The default quarantine (a sibling of the root, /srv/...) is read-only under the unit's ProtectSystem=strict.
    expect(config.retention.quarantineDir?.startsWith('/srv/recordings/')).toBe(true);
    expect(config.profilesDir).toBe('/etc/camwarden/device-profiles');
    // The Docker HEALTHCHECK and the README rely on the loopback health endpoint.
    expect(config.http.listen).toBe('127.0.0.1:9464');
    expect(config.enforce.mode).toBe('on');
    expect(config.mqtt.rejectUnauthorized).toBe(true);
  });

  it('keeps secrets out of the shipped file (they belong in camwarden.env)', () => {
    const raw = parse(text) as { mqtt?: Record<string, unknown>; onvif?: Record<string, unknown> };
    expect(raw.mqtt?.password).toBeUndefined();
    expect(raw.onvif?.password).toBeUndefined();
    expect(raw.onvif?.devices).toEqual(undefined);
  });

  it('stays valid with every disabled setting enabled', () => {
    const enabled = parse(enableDisabledSettings(text), { uniqueKeys: true });
    const result = configSchema.safeParse(enabled);
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('documents every key of the config schema', () => {
    const keys = schemaKeyPaths(configSchema);
    // Sanity: the walk reaches nested objects and array elements, so it cannot pass by seeing nothing.
    expect(keys).toEqual(expect.arrayContaining(['site.id', 'enforce.nftables.table', 'onvif.devices[].endpoint']));
    const documented = documentKeyPaths(parse(enableDisabledSettings(text)));
    const missing = keys.filter((k) => !documented.has(k));
    expect(missing, 'config keys missing from deploy/camwarden.example.yaml').toEqual([]);
    const unknown = [...documented].filter((k) => !keys.includes(k));
    expect(unknown, 'keys in the example that the schema does not know').toEqual([]);
  });
});

describe('deploy/camwarden.env.example', () => {
  const text = readFileSync(EXAMPLE_ENV, 'utf8');
  const { active, mentioned } = envAssignments(text);

  it('lists every CAMWARDEN_ variable the config loader reads', () => {
    const source = readFileSync(LOAD_CONFIG_SRC, 'utf8');
    const read = new Set([...source.matchAll(/\benv\.(CAMWARDEN_[A-Z0-9_]+)/g)].map((m) => m[1] ?? ''));
    expect(read.size).toBeGreaterThan(15);
    expect([...read].filter((v) => !mentioned.has(v))).toEqual([]);
  });

  it('lists every variable of docs/configuration.md (Environment)', () => {
    const contract = [
      'CAMWARDEN_CONFIG',
      'CAMWARDEN_SITE_ID',
      'CAMWARDEN_GATEWAY_ID',
      'CAMWARDEN_MQTT_URL',
      'CAMWARDEN_MQTT_USERNAME',
      'CAMWARDEN_MQTT_PASSWORD',
      'CAMWARDEN_DATA_DIR',
      'CAMWARDEN_PROFILES_DIR',
      'CAMWARDEN_RECORDINGS_DIR',
      'CAMWARDEN_ONVIF_USERNAME',
      'CAMWARDEN_ONVIF_PASSWORD',
      'CAMWARDEN_PROBE_TARGETS',
      'CAMWARDEN_MULTICAST',
      'CAMWARDEN_COMMAND_KEYS',
      'CAMWARDEN_SCAN_SCHEDULE',
      'CAMWARDEN_SWEEP_SCHEDULE',
      'CAMWARDEN_ENFORCE',
      'CAMWARDEN_LOG_LEVEL',
    ];
    expect(contract.filter((v) => !mentioned.has(v))).toEqual([]);
  });

  it('sets nothing empty (an empty CAMWARDEN_MQTT_URL would silently unset the broker)', () => {
    expect(Object.entries(active).filter(([, v]) => v.trim() === '')).toEqual([]);
  });

  it('validates together with the example config, as shipped and with every example value enabled', () => {
    const shipped = { ...active, CAMWARDEN_CONFIG: EXAMPLE_YAML };
    expect(() => loadConfig(shipped)).not.toThrow();
    const all = envAssignments(text.replace(/^#(CAMWARDEN_)/gm, '$1')).active;
    const { config } = loadConfig({ ...all, CAMWARDEN_CONFIG: EXAMPLE_YAML });
    expect(config.mqtt.url).toMatch(/^mqtts:\/\//);
    expect(config.discovery.probeTargets.length).toBeGreaterThan(0);
  });
});
