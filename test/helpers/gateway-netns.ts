import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOSQUITTO_BIN } from './capabilities.js';

/**
 * A site gateway in network namespaces for daemon tests: a gateway namespace (agent, broker, its own nftables)
 * reachable from the test over a veth, and a camera namespace behind it holding the simulated cameras' addresses.
 * Names and subnets derive from the caller's prefix and process.pid, so parallel test files never collide.
 */
/** The third octet of this process's subnets (10..209). */
export function pidOctet(): number {
  return 10 + (process.pid % 200);
}

export function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function spawnInNs(ns: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface GatewayNetns {
  /** The gateway namespace and the camera namespace. */
  ns: string;
  camNs: string;
  /** The gateway namespace's address as the test reaches it (e.g. its broker). */
  nsAddr: string;
  /** The camera subnet's first three octets, and the gateway's address on it (`.1`). */
  camNet: string;
  gwCam: string;
  /** Interface names: the gateway's on the camera subnet, the cameras' own. */
  gwCamIf: string;
  camIf: string;
  destroy(): void;
}

/**
 * `hostNet` (a /30 from the test to the gateway) and `camNet` (a /24 behind the gateway, `.1` the gateway) are the
 * first two octets of subnets whose third octet comes from process.pid; each camera host is added to the camera
 * namespace, whose default route is the gateway.
 */
export function createGatewayNetns(opts: {
  prefix: string;
  hostNet: string;
  camNet: string;
  camHosts: number[];
}): GatewayNetns {
  const tag = process.pid % 100000;
  const third = pidOctet();
  const ns = `cw-${opts.prefix}-${process.pid}`;
  const camNs = `cw-${opts.prefix}cam-${process.pid}`;
  const ifBase = `cw${opts.prefix.slice(0, 1)}${tag}`;
  const [hostIf, nsIf, gwCamIf, camIf] = ['h', 'n', 'g', 'c'].map((s) => `${ifBase}${s}`) as [
    string,
    string,
    string,
    string,
  ];
  const hostAddr = `${opts.hostNet}.${third}.1`;
  const nsAddr = `${opts.hostNet}.${third}.2`;
  const camNet = `${opts.camNet}.${third}`;
  const gwCam = `${camNet}.1`;
  sh('ip', ['netns', 'add', ns]);
  sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
  sh('ip', ['link', 'set', nsIf, 'netns', ns]);
  sh('ip', ['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
  sh('ip', ['link', 'set', hostIf, 'up']);
  sh('ip', ['-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
  sh('ip', ['-n', ns, 'link', 'set', nsIf, 'up']);
  sh('ip', ['netns', 'add', camNs]);
  sh('ip', ['-n', camNs, 'link', 'set', 'lo', 'up']);
  sh('ip', ['-n', ns, 'link', 'add', gwCamIf, 'type', 'veth', 'peer', 'name', camIf]);
  sh('ip', ['-n', ns, 'link', 'set', camIf, 'netns', camNs]);
  sh('ip', ['-n', ns, 'addr', 'add', `${gwCam}/24`, 'dev', gwCamIf]);
  sh('ip', ['-n', ns, 'link', 'set', gwCamIf, 'up']);
  for (const host of opts.camHosts) sh('ip', ['-n', camNs, 'addr', 'add', `${camNet}.${host}/24`, 'dev', camIf]);
  sh('ip', ['-n', camNs, 'link', 'set', camIf, 'up']);
  sh('ip', ['-n', camNs, 'route', 'add', 'default', 'via', gwCam]);
  return {
    ns,
    camNs,
    nsAddr,
    camNet,
    gwCam,
    gwCamIf,
    camIf,
    destroy() {
      try {
        sh('ip', ['link', 'del', hostIf]);
      } catch {
        // gone with the namespace
      }
      for (const name of [ns, camNs]) {
        try {
          sh('ip', ['netns', 'del', name]);
        } catch {
          // already gone
        }
      }
    },
  };
}

/** mosquitto inside `ns` on 0.0.0.0:1883, anonymous, no persistence. */
export function startMosquittoIn(ns: string, workDir: string): ChildProcess {
  const conf = join(workDir, 'mosquitto.conf');
  writeFileSync(conf, 'listener 1883 0.0.0.0\nallow_anonymous true\npersistence false\n');
  return spawnInNs(ns, [MOSQUITTO_BIN ?? 'mosquitto', '-c', conf]);
}

/** `camwarden simulate --site FILE --json` inside `ns`; resolves once the devices are up. */
export async function startSimulatorIn(ns: string, cli: string, siteFile: string): Promise<ChildProcess> {
  const sim = spawnInNs(ns, [process.execPath, cli, 'simulate', '--site', siteFile, '--json']);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    sim.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve();
    });
    sim.once('exit', (code) => reject(new Error(`simulator ${siteFile} exited ${code}`)));
    setTimeout(() => reject(new Error(`simulator ${siteFile} did not start`)), 15_000);
  });
  return sim;
}
