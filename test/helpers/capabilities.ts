import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that need root-only facilities (network namespaces, nftables, mosquitto) skip with a visible notice
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

/**
 * Returns true when the suite should run. When it should not, prints a notice (and throws under CI demand),
 * so a skipped integration test is never silent.
 */
export function requireCapability(what: 'netns' | 'mosquitto', available: boolean): boolean {
  if (available) return true;
  const envName = what === 'netns' ? 'CAMWARDEN_REQUIRE_NETNS' : 'CAMWARDEN_REQUIRE_MOSQUITTO';
  if (process.env[envName] === '1') {
    throw new Error(`${what} is required here (${envName}=1) but unavailable`);
  }
  process.stderr.write(
    `\n*** NOTICE: ${what === 'netns' ? 'network namespaces or nftables' : 'mosquitto'} unavailable on this machine: skipping its integration tests ***\n\n`,
  );
  return false;
}
