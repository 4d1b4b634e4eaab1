import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type FaultKind,
  generateSite,
  parseSiteSpec,
  type SimDeviceSpec,
  type SimSiteSpec,
  SimSpecError,
  startSimulatedSite,
  VENDOR_STYLES,
  type VendorStyle,
} from '../../simulator/index.js';
import { FAULT_KIND_LIST, MAX_ANSWER_DELAY_MS } from '../../simulator/spec-schema.js';
import { CamwardenError, ErrorCode, errorMessage, UsageError } from '../../util/errors.js';
import { type CommandIO, type CommandSpec, intFlag, type ParsedValues } from '../command.js';

function str(values: ParsedValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function list(values: ParsedValues, name: string): string[] {
  return (str(values, name) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

async function siteFromFile(file: string, cwd: string): Promise<SimSiteSpec> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`--site: cannot read ${file}: ${errorMessage(err)}`);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(`--site: ${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${errorMessage(err)}`);
  }
  try {
    return parseSiteSpec(data);
  } catch (err) {
    throw new UsageError(`--site: ${file}: ${errorMessage(err)}`);
  }
}

function buildSite(values: ParsedValues): SimSiteSpec {
  const base = str(values, 'base') ?? '127.20.0.10';
  if (!isIPv4(base)) throw new UsageError(`--base: expected an IPv4 address, got ${JSON.stringify(base)}`);
  const vendors = list(values, 'vendors');
  for (const v of vendors) {
    if (!VENDOR_STYLES.includes(v as VendorStyle)) {
      throw new UsageError(`--vendors: unknown style ${JSON.stringify(v)} (known: ${VENDOR_STYLES.join(', ')})`);
    }
  }
  const hostile = list(values, 'hostile');
  for (const h of hostile) {
    if (!FAULT_KIND_LIST.includes(h)) {
      throw new UsageError(`--hostile: unknown fault ${JSON.stringify(h)} (known: ${FAULT_KIND_LIST.join(', ')})`);
    }
  }
  const nvrsRaw = str(values, 'nvrs');
  if (nvrsRaw !== undefined && !/^\d+$/.test(nvrsRaw)) {
    throw new UsageError(`--nvrs: expected a non-negative integer, got ${JSON.stringify(nvrsRaw)}`);
  }
  const username = str(values, 'username');
  const password = str(values, 'password');
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError(
      `--${username === undefined ? 'username' : 'password'}: needed together with --${username === undefined ? 'password' : 'username'}`,
    );
  }
  const mode = str(values, 'auth-mode') ?? 'both';
  if (!['none', 'ws-security', 'digest-only', 'both'].includes(mode)) {
    throw new UsageError(`--auth-mode: expected none, ws-security, digest-only or both, got ${JSON.stringify(mode)}`);
  }
  const auth =
    username !== undefined && password !== undefined
      ? { mode: mode as NonNullable<SimDeviceSpec['auth']>['mode'], username, password }
      : undefined;
  const portRaw = str(values, 'port');
  if (portRaw !== undefined && (!/^\d+$/.test(portRaw) || Number(portRaw) > 65535)) {
    throw new UsageError(`--port: expected a TCP port, got ${JSON.stringify(portRaw)}`);
  }
  const answerDelay = intFlag(values, 'answer-delay-ms', 0);
  if (answerDelay > MAX_ANSWER_DELAY_MS) {
    throw new UsageError(`--answer-delay-ms: at most ${MAX_ANSWER_DELAY_MS}, got ${answerDelay}`);
  }
  try {
    return generateSite({
      base,
      count: intFlag(values, 'count', 10),
      seed: intFlag(values, 'seed', 1),
      nvrs: nvrsRaw === undefined ? 0 : Number(nvrsRaw),
      hostile: hostile as FaultKind[],
      ...(vendors.length ? { vendors: vendors as VendorStyle[] } : {}),
      ...(auth ? { auth } : {}),
      ...(portRaw !== undefined ? { httpPort: Number(portRaw) } : {}),
      answerDelayMs: answerDelay,
    });
  } catch (err) {
    if (err instanceof SimSpecError) throw new UsageError(`--base: ${err.message}`);
    throw err;
  }
}

/** A socket the flags asked for cannot be had (address not local, port taken or privileged): name the flag. */
function listenFailureAsUsage(err: unknown, siteFile: string | undefined): unknown {
  if (!(err instanceof CamwardenError) || err.code !== ErrorCode.ListenFailed) return err;
  const flag =
    err.details?.socket === 'multicast'
      ? '--multicast-interface'
      : siteFile !== undefined
        ? `--site: ${siteFile}`
        : err.details?.errno === 'EADDRNOTAVAIL'
          ? '--base'
          : '--port';
  return new UsageError(`${flag}: ${err.message}`);
}

function table(site: Awaited<ReturnType<typeof startSimulatedSite>>): string {
  const rows = site.devices.map((d) => {
    const faults = (d.spec.faults ?? []).map((f) => f.kind).join(',');
    return `${d.name.padEnd(28).slice(0, 28)} ${d.spec.vendor.padEnd(9)} ${(d.spec.kind ?? 'camera').padEnd(6)} ${d.xaddr}${faults ? `  [${faults}]` : ''}`;
  });
  return `${rows.join('\n')}\n${site.devices.length} simulated devices; WS-Discovery on <address>:3702/udp. Ctrl-C stops.\n`;
}

export const simulateCommand: CommandSpec = {
  name: 'simulate',
  summary:
    'Run simulated ONVIF devices (SOAP over HTTP, WS-Discovery over UDP) on loopback addresses until SIGINT/SIGTERM',
  options: {
    site: {
      type: 'string',
      valueName: 'FILE',
      description: 'Site spec (YAML or JSON: {devices: [...]}); overrides the generator flags',
    },
    count: { type: 'string', valueName: 'N', description: 'Honest cameras to generate (default 10)' },
    base: { type: 'string', valueName: 'ADDR', description: 'First device address (default 127.20.0.10)' },
    vendors: {
      type: 'string',
      valueName: 'A,B',
      description: `Vendor styles to rotate over (${VENDOR_STYLES.join(',')})`,
    },
    nvrs: { type: 'string', valueName: 'N', description: 'NVRs with 4 channels each (default 0)' },
    hostile: { type: 'string', valueName: 'K1,K2', description: 'Hostile devices to add, one per fault kind' },
    username: { type: 'string', valueName: 'USER', description: 'Device credentials (with --password)' },
    password: { type: 'string', valueName: 'PASS', description: 'Device password (with --username)' },
    'auth-mode': {
      type: 'string',
      valueName: 'MODE',
      description: 'none | ws-security | digest-only | both (default both)',
    },
    port: { type: 'string', valueName: 'PORT', description: 'HTTP port of every generated device (default 80)' },
    seed: { type: 'string', valueName: 'N', description: 'Generator seed (default 1)' },
    'answer-delay-ms': {
      type: 'string',
      valueName: 'MS',
      description: 'Every generated device takes this long for each answer, as real cameras do (default 0)',
    },
    'multicast-interface': {
      type: 'string',
      valueName: 'ADDR',
      description: 'Join 239.255.255.250 on this local IPv4 and send Hello/Bye (use inside a network namespace only)',
    },
    json: { type: 'boolean', description: 'Print the running devices as JSON on stdout, then stay up' },
  },
  async run(values, _positionals, io: CommandIO) {
    const siteFile = str(values, 'site');
    const spec = siteFile ? await siteFromFile(siteFile, io.cwd) : buildSite(values);
    const mcast = str(values, 'multicast-interface');
    if (mcast !== undefined) {
      if (!isIPv4(mcast))
        throw new UsageError(`--multicast-interface: expected an IPv4 address, got ${JSON.stringify(mcast)}`);
      for (const d of spec.devices) d.multicastInterface = mcast;
    }
    const site = await startSimulatedSite(spec).catch((err: unknown) => {
      throw listenFailureAsUsage(err, siteFile);
    });
    if (values.json === true) {
      const devices = site.devices.map((d) => ({
        name: d.name,
        vendor: d.spec.vendor,
        kind: d.spec.kind ?? 'camera',
        address: d.address,
        endpoint: d.endpoint,
        xaddr: d.xaddr,
        faults: (d.spec.faults ?? []).map((f) => f.kind),
      }));
      io.stdout.write(`${JSON.stringify({ devices })}\n`);
    } else {
      io.stdout.write(table(site));
    }
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await site.stop();
    return 0;
  },
};
