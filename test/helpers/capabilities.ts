import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need facilities a machine may lack (network namespaces, nftables, mosquitto, root, systemd) skip with a visible notice
 * where those are unavailable, and fail instead when CI demands them (CAMWARDEN_REQUIRE_*=1).
 */
function probe(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 5000 });
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

/** Each capability: the CI variable that makes it mandatory, and what the notice names. */
const CAPABILITIES = {
  netns: { env: 'CAMWARDEN_REQUIRE_NETNS', label: 'network namespaces or nftables' },
  mosquitto: { env: 'CAMWARDEN_REQUIRE_MOSQUITTO', label: 'mosquitto' },
  root: { env: 'CAMWARDEN_REQUIRE_ROOT', label: 'root (to run a program as another user)' },
  'systemd-analyze': { env: 'CAMWARDEN_REQUIRE_SYSTEMD', label: 'systemd-analyze' },
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
