import type { EnforceConfig } from '../../src/config/schema.js';
import { enforceSchema } from '../../src/config/schema.js';
import { NftError } from '../../src/enforce/nft-runner.js';
import type { NftRunner } from '../../src/enforce/types.js';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { builtinPack } from '../../src/policy/builtin-pack.js';
import type { ProfileSet, VendorProfile } from '../../src/profiles/types.js';

export function enforceConfig(over: Partial<EnforceConfig> = {}): EnforceConfig {
  return { ...enforceSchema.parse({}), retryBaseMs: 1000, retryMaxMs: 8000, ...over };
}

/** An in-memory nftables that understands the few commands camwarden sends, and records them. */
export function fakeNft(): {
  run: NftRunner;
  calls: Array<{ args: string[]; stdin?: string }>;
  elements: Set<string>;
  table: { exists: boolean; tampered: boolean };
  fail: { next: number; error?: NftError };
} {
  const calls: Array<{ args: string[]; stdin?: string }> = [];
  const elements = new Set<string>();
  const table = { exists: false, tampered: false };
  const fail: { next: number; error?: NftError } = { next: 0 };
  // IPv4 and IPv6 elements of every `{ … }` list in the text.
  const addrs = (text: string): string[] =>
    [...text.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
      (m[1] ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) || /^[0-9a-f:]+:[0-9a-f:]*$/.test(a)),
    );
  const run: NftRunner = async (args, stdin) => {
    calls.push(stdin === undefined ? { args } : { args, stdin });
    if (fail.next > 0) {
      fail.next--;
      throw fail.error ?? new NftError('denied', 'nft: Operation not permitted');
    }
    if (args[0] === '-j' && args[1] === 'list') {
      if (!table.exists) throw new NftError('no-such-object', 'Error: No such file or directory');
      const rule = (chain: string, verdict: string) => ({
        rule: { chain, expr: [{ match: {} }, { [verdict]: null }] },
      });
      const items: unknown[] = [
        { metainfo: {} },
        { set: { name: 'blocked_v4', type: 'ipv4_addr', elem: [...elements].filter((a) => !a.includes(':')) } },
        { set: { name: 'blocked_v6', type: 'ipv6_addr', elem: [...elements].filter((a) => a.includes(':')) } },
      ];
      if (args[2] === 'table') {
        items.push(
          { chain: { name: 'forward', type: 'filter', hook: 'forward', policy: 'accept' } },
          { chain: { name: 'input', type: 'filter', hook: 'input', policy: 'accept' } },
          ...(table.tampered ? [] : [rule('forward', 'drop')]),
          rule('forward', 'drop'),
          rule('forward', 'drop'),
          rule('forward', 'drop'),
          rule('input', 'accept'),
          rule('input', 'drop'),
          rule('input', 'accept'),
          rule('input', 'accept'),
          rule('input', 'drop'),
        );
      }
      return { stdout: JSON.stringify({ nftables: items }), stderr: '' };
    }
    const text = stdin ?? '';
    if (text.includes('delete table')) {
      table.exists = true;
      table.tampered = false;
      elements.clear();
      for (const m of text.matchAll(/elements = \{([^}]*)\}/g)) for (const a of addrs(`{${m[1]}}`)) elements.add(a);
    } else {
      for (const line of text.split('\n').filter(Boolean)) {
        if (line.startsWith('add element')) {
          if (!table.exists) throw new NftError('no-such-object', 'Error: No such file or directory');
          for (const a of addrs(line)) elements.add(a);
        } else if (line.startsWith('delete element')) {
          for (const a of addrs(line)) {
            if (!elements.has(a)) throw new NftError('no-such-object', 'Error: No such file or directory');
          }
          for (const a of addrs(line)) elements.delete(a);
        }
      }
    }
    return { stdout: '', stderr: '' };
  };
  return { run, calls, elements, table, fail };
}

export function camera(
  id: string,
  address: string,
  action: 'allow' | 'flag' | 'block',
  extra: Partial<CameraRecord> = {},
): CameraRecord {
  return {
    id,
    kind: 'camera',
    endpoint: `urn:uuid:${id}`,
    address,
    xaddr: `http://${address}/onvif/device_service`,
    scopes: [],
    location: { zone: action === 'block' ? 'toilet' : 'public-other', source: 'scope', tags: [] },
    decision: { action, reasons: [] },
    errors: [],
    ...extra,
  };
}

export function vendor(id: string, levers: Partial<VendorProfile['levers']> = {}): VendorProfile {
  return {
    id,
    file: `${id}.yaml`,
    priority: 0,
    description: '',
    match: {},
    quirks: { placeholderLocations: [], digestOnly: false, brokenMedia2: false, utcIsLocalTime: false },
    levers: { rtspOff: false, privacyMask: false, recordingJobIdle: false, ...levers },
  };
}

export function profileSet(
  over: {
    vendors?: VendorProfile[];
    levers?: ProfileSet['site']['levers'];
    hooks?: ProfileSet['site']['recorderHooks'];
  } = {},
): ProfileSet {
  return {
    revision: 'r1',
    dir: '/profiles',
    packId: 'cn-2025',
    packs: { 'cn-2025': builtinPack() },
    vendors: over.vendors ?? [],
    site: {
      file: 'site.yaml',
      cameras: [],
      consents: [],
      filings: [],
      signage: [],
      geofences: [],
      recorderHooks: over.hooks ?? {},
      levers: over.levers ?? {},
    },
    retention: {
      defaultDays: 30,
      zoneDays: {},
      classMinimumDays: {},
      overlayMinimumDays: {},
      siteOverlays: [],
      quarantineDays: 30,
      legalHolds: [],
    },
    layouts: {},
    signed: false,
  };
}
