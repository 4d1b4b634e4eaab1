import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared pieces of the network-namespace tests: commands in a namespace, the probe, the servers. */
const here = fileURLToPath(new URL('./', import.meta.url));
export const SERVERS = join(here, 'servers.mjs');

export function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
}

export function inNs(ns: string, cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', timeout: 15_000 });
}

export type Target = { proto: 'tcp' | 'udp' | 'http'; host: string; port: number; local?: string };

/** Probes from inside `ns`: `proto:host:port[@local]` → answered. */
export function probe(ns: string, targets: Target[]): Record<string, boolean> {
  const out = inNs(ns, [process.execPath, join(here, 'probe.mjs'), JSON.stringify(targets), '700']);
  return JSON.parse(out) as Record<string, boolean>;
}

const services = (host: string): Target[] => [
  { proto: 'http', host, port: 80 },
  { proto: 'tcp', host, port: 554 },
  { proto: 'udp', host, port: 5000 },
];

/** Each host from `ns`: reachable only if HTTP, TCP 554 and UDP 5000 all answer, blocked only if none does. */
export function reach(ns: string, hosts: string[]): Record<string, boolean> {
  const r = probe(ns, hosts.flatMap(services));
  const byHost: Record<string, boolean> = {};
  for (const h of hosts) {
    const vals = services(h).map((t) => r[`${t.proto}:${t.host}:${t.port}`]);
    if (new Set(vals).size > 1) throw new Error(`mixed reachability for ${h}: ${JSON.stringify(r)}`);
    byHost[h] = vals[0] === true;
  }
  return byHost;
}

/** Starts `node args…` inside `ns` and waits for it to print "ready"; the child joins `children` (to kill). */
export function startIn(
  children: ChildProcess[],
  ns: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start`)), 10_000);
    child.stdout?.on('data', (c: Buffer) => {
      if (String(c).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`server in ${ns} exited ${code}`)));
  });
}

/** Kills what startIn started and deletes the namespaces (those already gone are fine). */
export function tearDown(children: ChildProcess[], namespaces: string[]): void {
  for (const c of children) c.kill('SIGKILL');
  for (const ns of namespaces) {
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // already gone
    }
  }
}
