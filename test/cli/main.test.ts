import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { captureIo } from '../helpers/cli-io.js';

const io = (env: Record<string, string> = {}) => captureIo(env);

describe('camwarden CLI', () => {
  it('lists every command in --help', async () => {
    const t = io();
    expect(await main(['--help'], t.io)).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(t.out()).toContain(name);
  });

  it('exits 2 on an unknown command and on an unknown flag, naming it', async () => {
    const a = io();
    expect(await main(['frobnicate'], a.io)).toBe(2);
    expect(a.err()).toContain('frobnicate');
    const b = io();
    expect(await main(['scan', '--no-such-flag'], b.io)).toBe(2);
    expect(b.err()).toContain('--no-such-flag');
  });

  it('suggests the sub-command of a group', async () => {
    const t = io();
    expect(await main(['profiles'], t.io)).toBe(2);
    expect(t.err()).toContain('profiles check');
  });

  it('describes every command and flag with --help', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const t = io();
      expect(await main([...name.split(' '), '--help'], t.io)).toBe(0);
      expect(t.out()).toContain(`Usage: camwarden ${name}`);
      expect(t.out()).not.toContain('not built yet');
    }
  });

  it('refuses to scan under invalid device-profiles (exit 2, file and field named) instead of deciding without them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-badprof-'));
    cpSync(join(import.meta.dirname, '..', '..', 'device-profiles'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'site', 'site.yaml'),
      'schemaVersion: 1\ncameras:\n  - match: {serial: X}\n    systemClass: art99\n',
    );
    const t = io({ CAMWARDEN_PROFILES_DIR: dir, CAMWARDEN_DATA_DIR: join(dir, 'data') });
    expect(await main(['scan', '--no-multicast', '--timeout', '300'], t.io)).toBe(2);
    expect(t.err()).toContain('site/site.yaml: cameras.0.systemClass:');
    expect(t.out()).toBe('');
  });
});
