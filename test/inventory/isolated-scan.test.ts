import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { runIsolatedScan } from '../../src/inventory/isolated-scan.js';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { generateSite, type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { ErrorCode } from '../../src/util/errors.js';
import { silentLogger } from '../../src/util/logger.js';
import { ensureDist } from '../helpers/dist.js';
import { HTTP_PORT } from '../simulator/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const WORKER = join(ROOT, 'dist', 'inventory', 'scan-worker.js');
const third = 1 + (process.pid % 250);
const BASE = `127.203.${third}.1`;
let site: SimulatedSite;
const scratch = mkdtempSync(join(tmpdir(), 'cw-iso-'));

beforeAll(async () => {
  ensureDist();
  site = await startSimulatedSite(
    generateSite({
      base: BASE,
      count: 6,
      seed: third,
      nvrs: 1,
      hostile: ['entity-bomb', 'invalid-xml'],
      auth: { mode: 'both', username: 'admin', password: 'pw' },
      zones: ['toilet', 'public-other'],
      httpPort: HTTP_PORT,
    }),
  );
}, 60_000);
afterAll(async () => {
  await site?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function config() {
  return loadConfig(
    {
      CAMWARDEN_ONVIF_USERNAME: 'admin',
      CAMWARDEN_ONVIF_PASSWORD: 'pw',
      CAMWARDEN_PROBE_TARGETS: `127.203.${third}.1-20`,
      CAMWARDEN_MULTICAST: '0',
      CAMWARDEN_LOG_LEVEL: 'silent',
      CAMWARDEN_DATA_DIR: scratch,
    },
    '/nonexistent',
  ).config;
}

/** runIsolatedScan with the test's config, a pass-through decision and the given worker. */
function scanWith(workerPath: string, extra: Partial<Parameters<typeof runIsolatedScan>[0]> = {}) {
  return runIsolatedScan({
    config: config(),
    policyRevision: 'r',
    logger: silentLogger(),
    workerPath,
    decide: (r) => r,
    ...extra,
  });
}

/** A worker script of our own making, to play a broken scan process. */
function worker(name: string, source: string): string {
  const file = join(scratch, `${name}.mjs`);
  writeFileSync(file, source);
  return file;
}

describe('runIsolatedScan', () => {
  it('scans in a child process and decides here, with the live policy', async () => {
    const decided: CameraRecord[][] = [];
    const result = await runIsolatedScan({
      config: config(),
      policyRevision: 'rev-live',
      logger: silentLogger(),
      workerPath: WORKER,
      decide: (records) => {
        decided.push(records);
        return records.map((r) => ({ ...r, decision: { ...r.decision, action: 'flag' as const } }));
      },
    });
    const honest = site.devices.filter((d) => !d.spec.faults?.length);
    for (const d of honest) expect(result.cameras.some((c) => c.address === d.spec.address)).toBe(true);
    expect(result.policyRevision).toBe('rev-live');
    expect(decided).toHaveLength(1);
    expect(result.cameras.every((c) => c.decision.action === 'flag')).toBe(true);
    // The hostile devices are listed with their errors, and the agent's process was never at risk.
    expect(result.cameras.filter((c) => c.errors.length > 0).length).toBeGreaterThanOrEqual(2);
    const addresses = result.cameras.map((c) => c.address);
    expect(addresses).toEqual([...addresses].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])));
  }, 60_000);

  it('a scan process that dies fails the scan with a clear error', async () => {
    const path = worker('dies', "process.once('message', () => process.abort());");
    await expect(scanWith(path)).rejects.toMatchObject({
      code: ErrorCode.Internal,
      message: expect.stringMatching(/without a result \(signal SIGABRT\)/),
    });
  });

  it('a scan process that hangs is killed at the limit', async () => {
    const path = worker('hangs', 'setInterval(() => {}, 1000);');
    const started = Date.now();
    await expect(scanWith(path, { limitMs: 1500 })).rejects.toMatchObject({ code: ErrorCode.Timeout });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an abort kills the scan process at once', async () => {
    const path = worker('slow', 'setInterval(() => {}, 1000);');
    const abort = new AbortController();
    // a limit far off: an abort that did not kill the process would end in a timeout, not in `aborted`
    const scan = scanWith(path, { signal: abort.signal, limitMs: 20_000 });
    setTimeout(() => abort.abort(), 300);
    const started = Date.now();
    await expect(scan).rejects.toMatchObject({ code: ErrorCode.Aborted });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a scan process that answers nonsense is not believed', async () => {
    const path = worker(
      'lies',
      "process.once('message', () => process.send({ type: 'result', result: { cameras: 'all fine' } }));",
    );
    await expect(scanWith(path)).rejects.toMatchObject({
      code: ErrorCode.Internal,
      message: expect.stringMatching(/unexpected message/),
    });
  });

  it('a scan failure inside the process comes back with its code', async () => {
    const bad = { ...config(), discovery: { ...config().discovery, probeTargets: ['not-a-target'] } };
    await expect(
      runIsolatedScan({
        config: bad,
        policyRevision: 'r',
        logger: silentLogger(),
        workerPath: WORKER,
        decide: (r) => r,
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^scan failed: .*not-a-target/) });
  });
});
