import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const INSTALL = join(ROOT, 'deploy', 'install.sh');
const temps: string[] = [];

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function install(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('bash', [INSTALL, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A prebuilt package with no dependencies: `npm ci` on it is offline and fast, the layout is the real one. */
function fakePackageTarball(): string {
  const dir = temp('cw-dep-pkg-');
  const pkg = join(dir, 'package');
  mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
  writeFileSync(join(pkg, 'dist', 'cli', 'main.js'), 'console.log("camwarden");\n');
  const manifest = { name: 'camwarden', version: '0.0.0-test', type: 'module', bin: { camwarden: 'dist/cli/main.js' } };
  writeFileSync(join(pkg, 'package.json'), JSON.stringify(manifest));
  writeFileSync(
    join(pkg, 'package-lock.json'),
    JSON.stringify({
      name: 'camwarden',
      version: '0.0.0-test',
      lockfileVersion: 3,
      requires: true,
      packages: { '': manifest },
    }),
  );
  cpSync(join(ROOT, 'deploy'), join(pkg, 'deploy'), { recursive: true });
  mkdirSync(join(pkg, 'device-profiles', 'site'), { recursive: true });
  writeFileSync(join(pkg, 'device-profiles', 'site', 'README'), 'bundled\n');
  const tgz = join(dir, 'camwarden-0.0.0-test.tgz');
  execFileSync('tar', ['-czf', tgz, '-C', dir, 'package']);
  return tgz;
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('deploy/install.sh', () => {
  it('--dry-run --prefix exits 0, names every step and changes nothing', () => {
    const prefix = join(temp('cw-dep-dry-'), 'root');
    const { status, out } = install(['--dry-run', '--prefix', prefix]);
    expect(out).not.toMatch(/error|unbound/i);
    expect(status).toBe(0);
    for (const step of [
      /user and group 'camwarden'/,
      /npm ci --omit=dev/,
      /npm run build/,
      /camwarden\.example\.yaml .*\/etc\/camwarden\/camwarden\.yaml/,
      /camwarden\.env\.example .*\/etc\/camwarden\/camwarden\.env/,
      /chmod 0750 .*\/var\/lib\/camwarden/,
      /camwarden\.service .*\/etc\/systemd\/system\/camwarden\.service/,
      /camwarden-wan-3702\.nft .*\/etc\/nftables\.d\/camwarden-wan-3702\.nft/,
      /daemon-reload/,
      /Next steps/,
    ]) {
      expect(out).toMatch(step);
    }
    expect(existsSync(prefix)).toBe(false);
  });

  it('refuses unknown options and missing tarballs with exit 2', () => {
    expect(install(['--bogus']).status).toBe(2);
    expect(install(['--prefix', temp('cw-dep-x-'), '/nonexistent/camwarden.tgz']).status).toBe(2);
  });

  it('installs a tarball into a prefix, and a second run upgrades without overwriting config', () => {
    const tgz = fakePackageTarball();
    const prefix = temp('cw-dep-root-');
    const first = install(['--prefix', prefix, tgz]);
    expect(first.out).toContain('Next steps');
    expect(first.status).toBe(0);

    expect(readFileSync(join(prefix, 'opt/camwarden/dist/cli/main.js'), 'utf8')).toContain('camwarden');
    const yaml = join(prefix, 'etc/camwarden/camwarden.yaml');
    const env = join(prefix, 'etc/camwarden/camwarden.env');
    expect(readFileSync(yaml, 'utf8')).toBe(readFileSync(join(ROOT, 'deploy/camwarden.example.yaml'), 'utf8'));
    expect(mode(yaml)).toBe('640');
    expect(mode(env)).toBe('640');
    expect(mode(join(prefix, 'etc/camwarden'))).toBe('750');
    expect(mode(join(prefix, 'var/lib/camwarden'))).toBe('750');
    expect(existsSync(join(prefix, 'etc/camwarden/device-profiles/site/README'))).toBe(true);
    expect(existsSync(join(prefix, 'etc/systemd/system/camwarden.service'))).toBe(true);
    expect(existsSync(join(prefix, 'etc/nftables.d/camwarden-wan-3702.nft'))).toBe(true);

    writeFileSync(yaml, 'site: { id: edited, gatewayId: gw }\n');
    writeFileSync(env, 'CAMWARDEN_MQTT_PASSWORD=operator-secret\n');
    const second = install(['--prefix', prefix, tgz]);
    expect(second.status).toBe(0);
    expect(second.out).toContain('kept existing');
    expect(readFileSync(yaml, 'utf8')).toContain('edited');
    expect(readFileSync(env, 'utf8')).toContain('operator-secret');
    // The previous code tree is kept for a manual rollback; no staging tree is left behind.
    expect(existsSync(join(prefix, 'opt/camwarden.prev/dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(prefix, 'opt/camwarden.new'))).toBe(false);
  });
});
