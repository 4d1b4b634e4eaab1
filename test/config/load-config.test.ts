import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PROFILES_DIR, loadConfig } from '../../src/config/load-config.js';
import { UsageError } from '../../src/util/errors.js';

function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-config-'));
  const file = join(dir, 'camwarden.yaml');
  writeFileSync(file, text);
  return file;
}

function loadError(env: Record<string, string>, cwd = tmpdir()): string {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('uses built-in defaults when there is no file', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cw-empty-'));
    const { config, file } = loadConfig({}, cwd);
    expect(file).toBeUndefined();
    expect(config.site.id).toBe('site');
    expect(config.site.gatewayId.length).toBeGreaterThan(0);
    expect(config.dataDir).toBe(join(cwd, '.camwarden'));
    expect(config.profilesDir).toBe(BUNDLED_PROFILES_DIR);
    expect(config.mqtt.url).toBeUndefined();
    expect(config.discovery.multicast).toBe(true);
    expect(config.enforce.mode).toBe('on');
    expect(config.schedule).toEqual({ scan: '*/5 * * * *', sweep: '0 * * * *' });
  });

  it('lets every environment variable override the file', () => {
    const file = tempConfig(
      'site: { id: s-file, gatewayId: gw-file }\nmqtt: { url: "mqtt://file:1883" }\ndiscovery: { multicast: true }\n',
    );
    const { config } = loadConfig({
      CAMWARDEN_CONFIG: file,
      CAMWARDEN_SITE_ID: 's-env',
      CAMWARDEN_GATEWAY_ID: 'gw-env',
      CAMWARDEN_MQTT_URL: 'mqtts://broker.test:8883',
      CAMWARDEN_MQTT_USERNAME: 'u',
      CAMWARDEN_MQTT_PASSWORD: 'p',
      CAMWARDEN_DATA_DIR: '/var/lib/cw',
      CAMWARDEN_PROFILES_DIR: '/etc/cw/profiles',
      CAMWARDEN_RECORDINGS_DIR: '/srv/rec',
      CAMWARDEN_ONVIF_USERNAME: 'admin',
      CAMWARDEN_ONVIF_PASSWORD: 'secret',
      CAMWARDEN_PROBE_TARGETS: '10.0.0.1, 10.0.1.10-20,10.0.2.0/30',
      CAMWARDEN_MULTICAST: '0',
      CAMWARDEN_COMMAND_KEYS: '/etc/cw/keys.pem',
      CAMWARDEN_SCAN_SCHEDULE: '*/30 * * * * *',
      CAMWARDEN_SWEEP_SCHEDULE: '15 * * * *',
      CAMWARDEN_ENFORCE: 'dry-run',
      CAMWARDEN_LOG_LEVEL: 'debug',
    });
    expect(config.site).toMatchObject({ id: 's-env', gatewayId: 'gw-env' });
    expect(config.mqtt).toMatchObject({ url: 'mqtts://broker.test:8883', username: 'u', password: 'p' });
    expect(config.dataDir).toBe('/var/lib/cw');
    expect(config.profilesDir).toBe('/etc/cw/profiles');
    expect(config.retention.recordingsDir).toBe('/srv/rec');
    expect(config.onvif).toMatchObject({ username: 'admin', password: 'secret' });
    expect(config.discovery.probeTargets).toEqual(['10.0.0.1', '10.0.1.10-20', '10.0.2.0/30']);
    expect(config.discovery.multicast).toBe(false);
    expect(config.commandKeysFile).toBe('/etc/cw/keys.pem');
    expect(config.schedule).toEqual({ scan: '*/30 * * * * *', sweep: '15 * * * *' });
    expect(config.enforce.mode).toBe('dry-run');
    expect(config.logLevel).toBe('debug');
  });

  it('resolves relative paths against the config file directory', () => {
    const file = tempConfig('site: { id: a, gatewayId: b }\ndataDir: state\nretention: { recordingsDir: rec }\n');
    const { config, baseDir } = loadConfig({ CAMWARDEN_CONFIG: file });
    expect(config.dataDir).toBe(join(baseDir, 'state'));
    expect(config.retention.recordingsDir).toBe(join(baseDir, 'rec'));
  });

  it('names the file and the key at fault, for every problem', () => {
    const file = tempConfig('site: { id: "bad/id", gatewayId: gw }\nonvif: { callTimeoutMs: 5 }\nmqtt: { urll: x }\n');
    const message = loadError({ CAMWARDEN_CONFIG: file });
    expect(message).toContain(`${file}: site.id:`);
    expect(message).toContain(`${file}: onvif.callTimeoutMs:`);
    expect(message).toMatch(new RegExp(`${file}: mqtt: .*urll`));
  });

  it('names the environment variable for a bad enforce mode and multicast flag', () => {
    expect(loadError({ CAMWARDEN_ENFORCE: 'maybe' })).toMatch(/^CAMWARDEN_ENFORCE: Invalid option/);
    expect(loadError({ CAMWARDEN_MULTICAST: 'yes' })).toContain('CAMWARDEN_MULTICAST');
    expect(loadError({ CAMWARDEN_MQTT_URL: 'http://broker' })).toMatch(/^CAMWARDEN_MQTT_URL: must start with mqtt/);
  });

  it('blames the variable, not the file, for a bad value the environment set over a file', () => {
    const file = tempConfig('onvif: { callTimeoutMs: 5 }\nenforce: { mode: on }\n');
    const lines = loadError({ CAMWARDEN_CONFIG: file, CAMWARDEN_ENFORCE: 'maybe' }).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${file}: onvif.callTimeoutMs:`)));
    expect(lines).toContainEqual(expect.stringMatching(/^CAMWARDEN_ENFORCE: Invalid option/));
    expect(lines.filter((l) => l.includes('enforce.mode'))).toEqual([]);
  });

  it('reports YAML syntax errors and a missing explicit file', () => {
    expect(loadError({ CAMWARDEN_CONFIG: tempConfig('site: [unclosed\n') })).toContain('camwarden.yaml');
    expect(loadError({ CAMWARDEN_CONFIG: '/nonexistent/cw.yaml' })).toContain('no such file');
  });
});
