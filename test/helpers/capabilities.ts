import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests that need facilities a machine may lack (network namespaces, nftables, mosquitto, PostgreSQL, a browser,
 * root, systemd, the IPv6 loopback) skip with a visible notice where those are unavailable, and fail instead when CI demands them (CAMWARDEN_REQUIRE_*=1).
 */
function probe(cmd: string, args: string[], cwd?: string): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 5000, ...(cwd ? { cwd } : {}) });
    return true;
  } catch {
    return false;
  }
}

let netnsCache: boolean | undefined;
export function netnsAvailable(): boolean {
  if (netnsCache !== undefined) return netnsCache;
  const name = `cwprobe${process.pid}`;
  netnsCache = probe('ip', ['netns', 'add', name]);
  if (netnsCache) probe('ip', ['netns', 'del', name]);
  return netnsCache;
}

export function nftAvailable(): boolean {
  return probe('nft', ['--version']);
}

export const MOSQUITTO_BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  existsSync(p),
);

export function mosquittoAvailable(): boolean {
  return MOSQUITTO_BIN !== undefined;
}

/** Running another program as another user (setpriv --reuid) takes root. */
export function rootAvailable(): boolean {
  return process.getuid?.() === 0;
}

export const SYSTEMD_ANALYZE_BIN = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

export function systemdAnalyzeAvailable(): boolean {
  return SYSTEMD_ANALYZE_BIN !== undefined;
}

/** Debian's chromium (the browser test drives it with playwright-core; nothing is downloaded). */
export const CHROMIUM_BIN = [process.env.CAMWARDEN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => p !== undefined && p !== '' && existsSync(p),
);

export function browserAvailable(): boolean {
  return CHROMIUM_BIN !== undefined;
}

/** The server the registry tests create their databases on (trust auth on loopback, as CI sets it up). */
export const POSTGRES_ADMIN_URL =
  process.env.CAMWARDEN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let postgresCache: boolean | undefined;
export function postgresAvailable(): boolean {
  if (postgresCache !== undefined) return postgresCache;
  // a child process keeps this check synchronous, as describe.runIf needs it at collection time
  const script =
    "const pg=require('pg');const c=new pg.Client({connectionString:process.argv[1],connectionTimeoutMillis:3000});" +
    "c.connect().then(()=>c.query('SELECT 1')).then(()=>c.end()).then(()=>process.exit(0),()=>process.exit(1));";
  postgresCache = probe(process.execPath, ['-e', script, POSTGRES_ADMIN_URL], join(import.meta.dirname, '..', '..'));
  return postgresCache;
}

/** Each capability: the CI variable that makes it mandatory, and what the notice names. */
const CAPABILITIES = {
  netns: { env: 'CAMWARDEN_REQUIRE_NETNS', label: 'network namespaces or nftables' },
  mosquitto: { env: 'CAMWARDEN_REQUIRE_MOSQUITTO', label: 'mosquitto' },
  postgres: {
    env: 'CAMWARDEN_REQUIRE_POSTGRES',
    label: `PostgreSQL (${POSTGRES_ADMIN_URL.replace(/:[^:@/]*@/, ':***@')})`,
  },
  browser: { env: 'CAMWARDEN_REQUIRE_BROWSER', label: 'chromium' },
  root: { env: 'CAMWARDEN_REQUIRE_ROOT', label: 'root (to run a program as another user)' },
  'systemd-analyze': { env: 'CAMWARDEN_REQUIRE_SYSTEMD', label: 'systemd-analyze' },
  'ipv6-loopback': { env: 'CAMWARDEN_REQUIRE_IPV6', label: 'the IPv6 loopback (::1)' },
} as const;

export type Capability = keyof typeof CAPABILITIES;

/**
 * Returns true when the suite should run. When it should not, prints a notice (and throws under CI demand),
 * so a skipped integration test is never silent.
 */
export function requireCapability(what: Capability, available: boolean): boolean {
  if (available) return true;
  const { env, label } = CAPABILITIES[what];
  if (process.env[env] === '1') {
    throw new Error(`${what} is required here (${env}=1) but unavailable`);
  }
  process.stderr.write(`\n*** NOTICE: ${label} unavailable on this machine: skipping its integration tests ***\n\n`);
  return false;
}
