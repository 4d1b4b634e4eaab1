import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireCapability, rootAvailable } from '../helpers/capabilities.js';

// No Docker engine in CI: the image is checked by reading the Dockerfile, and its privilege drop by running the
// same setpriv argv here.
const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');

function instructions(name: string): string[] {
  return dockerfile
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

describe('deploy/Dockerfile', () => {
  it('builds on node:20-slim with nftables and iproute2, and keeps dev dependencies out of the final stage', () => {
    expect(instructions('FROM').every((f) => f.startsWith('node:20-slim'))).toBe(true);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bnftables\b[^\n]*\biproute2\b/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toContain('npm ci --omit=dev');
    expect(finalStage).not.toMatch(/npm ci (?!--omit=dev)/);
  });

  it('declares data and recordings volumes and a loopback /healthz health check', () => {
    expect(instructions('VOLUME').join(' ')).toMatch(/\/var\/lib\/camwarden.*\/srv\/recordings/);
    expect(instructions('HEALTHCHECK').join(' ')).toContain('http://127.0.0.1:9464/healthz');
    expect(instructions('CMD').at(-1)).toBe('["run"]');
  });

  const entry = JSON.parse(instructions('ENTRYPOINT')[0] ?? '[]') as string[];
  const sep = entry.indexOf('--');

  it('enters through setpriv with no_new_privs, then node on the built CLI', () => {
    expect(entry[0]).toBe('setpriv');
    expect(entry).toContain('--no-new-privs');
    expect(entry.slice(sep + 1)).toEqual([
      'node',
      '--max-semi-space-size=1',
      '--no-opt',
      '/opt/camwarden/dist/cli/main.js',
    ]);
  });

  it.runIf(requireCapability('root', rootAvailable()))(
    'runs the agent as camwarden with exactly CAP_NET_ADMIN and CAP_NET_RAW (its setpriv argv, run here)',
    () => {
      // Same options, for an account that exists on this machine, then print what the process got.
      const opts = entry
        .slice(1, sep)
        .map((o) => o.replace('--reuid=camwarden', '--reuid=nobody').replace('--regid=camwarden', '--regid=nogroup'));
      const r = spawnSync(
        'setpriv',
        [...opts, '--', 'sh', '-c', 'id -u; grep -E "^Cap(Eff|Amb|Bnd)" /proc/self/status'],
        {
          encoding: 'utf8',
        },
      );
      expect(r.stderr).toBe('');
      const [uid, ...caps] = r.stdout.trim().split('\n');
      expect(uid).not.toBe('0');
      // Bits 12 (CAP_NET_ADMIN) and 13 (CAP_NET_RAW) only.
      expect(caps.map((c) => c.split(/\s+/)[1])).toEqual(['0000000000003000', '0000000000003000', '0000000000003000']);
    },
  );
});

describe('deploy/docker-compose.example.yml', () => {
  const compose = parse(readFileSync(join(DEPLOY, 'docker-compose.example.yml'), 'utf8')) as {
    services: Record<string, Record<string, unknown>>;
  };
  const svc = compose.services.camwarden ?? {};

  it('uses host networking and adds the two network capabilities', () => {
    expect(svc.network_mode).toBe('host');
    expect(svc.cap_add).toEqual(expect.arrayContaining(['NET_ADMIN', 'NET_RAW']));
    expect(svc.ports).toBeUndefined();
    expect(svc.stop_grace_period).toBe('30s');
    expect((svc.volumes as string[]).some((v) => v.endsWith(':/var/lib/camwarden'))).toBe(true);
  });
});

describe('deploy/Dockerfile.dockerignore', () => {
  it('keeps host node_modules out of the build context (they are rebuilt inside the image)', () => {
    const ignore = readFileSync(join(DEPLOY, 'Dockerfile.dockerignore'), 'utf8').split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.git']));
  });

  it('ships the profiles directory the example config points at', () => {
    expect(dockerfile).toMatch(/^COPY device-profiles \/etc\/camwarden\/device-profiles$/m);
  });
});
