import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import {
  netnsAvailable,
  nftAvailable,
  requireCapability,
  SYSTEMD_ANALYZE_BIN,
  systemdAnalyzeAvailable,
} from '../helpers/capabilities.js';
import { readableCopy } from '../helpers/readable-copy.js';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const UNIT = join(DEPLOY, 'camwarden.service');
const SNIPPET = join(DEPLOY, 'nftables', 'camwarden-wan-3702.nft');

/** section → key → every value (systemd keys may repeat). Comments and blank lines are ignored. */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    expect(eq, `not a key=value line: ${line}`).toBeGreaterThan(0);
    const key = line.slice(0, eq);
    const sectionMap = out[section] ?? {};
    out[section] = sectionMap;
    const values = sectionMap[key] ?? [];
    sectionMap[key] = values;
    values.push(line.slice(eq + 1));
  }
  return out;
}

describe('deploy/camwarden.service', () => {
  const unit = parseUnit(readFileSync(UNIT, 'utf8'));
  const service = unit.Service ?? {};
  const one = (key: string) => {
    expect(service[key], key).toHaveLength(1);
    return service[key]?.[0];
  };

  it('has the required hardening and lifecycle directives', () => {
    expect(one('User')).toBe('camwarden');
    expect(one('ExecStart')).toBe('/usr/bin/node --max-semi-space-size=1 --no-opt /opt/camwarden/dist/cli/main.js run');
    expect(one('EnvironmentFile')).toBe('-/etc/camwarden/camwarden.env');
    expect(service.Environment).toContain('CAMWARDEN_CONFIG=/etc/camwarden/camwarden.yaml');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('StateDirectory')).toBe('camwarden');
    const rw = one('ReadWritePaths')
      ?.split(/\s+/)
      .map((p) => p.replace(/^-/, ''));
    expect(rw).toEqual(expect.arrayContaining(['/var/lib/camwarden', '/srv/recordings']));
    // Exactly the two capabilities, both as the ambient set and as the bounding set.
    const caps = (key: string) => one(key)?.split(/\s+/).sort();
    expect(caps('AmbientCapabilities')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    expect(caps('CapabilityBoundingSet')).toEqual(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    // nft speaks netlink: without AF_NETLINK enforcement would silently fail.
    expect(one('RestrictAddressFamilies')?.split(/\s+/).sort()).toEqual([
      'AF_INET',
      'AF_INET6',
      'AF_NETLINK',
      'AF_UNIX',
    ]);
    expect(one('MemoryMax')).toMatch(/^\d+[KMG]$/);
    expect(one('LockPersonality')).toBe('yes');
    expect(one('ProtectKernelTunables')).toBe('yes');
    expect(one('Restart')).toBe('on-failure');
    expect(one('KillSignal')).toBe('SIGTERM');
    expect(one('TimeoutStopSec')).toBe('30');
    // V8's JIT needs W+X pages, and the agent must act on the host's network namespace.
    expect(service.MemoryDenyWriteExecute).toBeUndefined();
    expect(service.PrivateNetwork).toBeUndefined();
    expect(service.PrivateUsers).toBeUndefined();
    expect(unit.Install?.WantedBy).toEqual(['multi-user.target']);
  });

  it('lets the example config write everywhere it needs to, and nowhere else', () => {
    const { config } = loadConfig({ CAMWARDEN_CONFIG: join(DEPLOY, 'camwarden.example.yaml') });
    const writable = [
      `/var/lib/${one('StateDirectory')}`,
      ...(one('ReadWritePaths') ?? '').split(/\s+/).map((p) => p.replace(/^-/, '')),
    ];
    const inside = (p: string) => writable.some((w) => p === w || p.startsWith(`${w}/`));
    const needed = [config.dataDir, config.retention.recordingsDir, config.retention.quarantineDir];
    expect(needed.filter((p) => p === undefined || !inside(p))).toEqual([]);
    expect(one('WorkingDirectory')).toBe(config.dataDir);
  });

  it.runIf(requireCapability('systemd-analyze', systemdAnalyzeAvailable()))(
    'passes systemd-analyze verify and scores as well hardened (exposure below 3.0)',
    () => {
      const bin = SYSTEMD_ANALYZE_BIN ?? 'systemd-analyze';
      const verify = spawnSync(bin, ['verify', UNIT], { encoding: 'utf8', timeout: 20_000 });
      // verify warns on stderr (unknown keys, wrong sections) without failing: treat every line as an error,
      // except that node may be missing from /usr/bin on a build host.
      const problems = `${verify.stderr}`.split('\n').filter((l) => l.trim() !== '' && !/\/usr\/bin\/node/.test(l));
      expect(problems).toEqual([]);
      expect(verify.status).toBe(0);
      const security = spawnSync(bin, ['security', '--offline=yes', '--threshold=30', UNIT], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(security.stdout).toMatch(/Overall exposure level for camwarden\.service: [0-2]\.\d/);
      expect(security.status).toBe(0);
    },
  );
});

// The unit's capability set must be enough for nft, and nothing less would do: run nft the way systemd runs
// the service (unprivileged uid, ambient CAP_NET_ADMIN + CAP_NET_RAW only, no_new_privs) in a scratch netns.
const netns = requireCapability('netns', netnsAvailable() && nftAvailable());
const NS = `cw-dep-${process.pid}-caps`;

describe.runIf(netns)('the unit capability set with nft', () => {
  // nobody cannot read a checkout inside a 0700 home directory: it loads a copy anyone can read.
  const snippet = readableCopy(SNIPPET);
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS], { stdio: 'ignore' });
    rmSync(dirname(snippet), { recursive: true, force: true });
  });

  function nftAs(caps: string): { status: number | null; stderr: string } {
    const r = spawnSync(
      'ip',
      [
        ...['netns', 'exec', NS, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
        `--inh-caps=-all${caps}`,
        `--ambient-caps=-all${caps}`,
        `--bounding-set=-all${caps}`,
        '--no-new-privs',
        ...['nft', '-f', snippet],
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    return { status: r.status, stderr: r.stderr };
  }

  it('lets an unprivileged user manage nftables with exactly CAP_NET_ADMIN and CAP_NET_RAW', () => {
    execFileSync('ip', ['netns', 'add', NS]);
    // Control: without the capabilities the kernel refuses nft (and not because the file was unreadable).
    const denied = nftAs('');
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/Operation not permitted/);
    const granted = nftAs(',+net_admin,+net_raw');
    expect(granted.stderr).toBe('');
    expect(granted.status).toBe(0);
    expect(execFileSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'tables'], { encoding: 'utf8' })).toContain(
      'camwarden_wan_guard',
    );
  });
});
