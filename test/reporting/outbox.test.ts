import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CameraRecord } from '../../src/model/camera-records.js';
import { diffInventories } from '../../src/reporting/inventory-diff.js';
import { Outbox, type OutboxEvent } from '../../src/reporting/outbox.js';
import { silentLogger } from '../../src/util/logger.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'cw-rep-ob-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const mk = (dataDir: string, o: Partial<{ alarmEvents: number; maxEvents: number }> = {}) =>
  new Outbox({
    dataDir,
    logger: silentLogger(),
    alarmEvents: o.alarmEvents ?? 1000,
    maxEvents: o.maxEvents ?? 5000,
    segmentRecords: 10,
  });

async function drainAll(outbox: Outbox, upTo = Number.POSITIVE_INFINITY): Promise<OutboxEvent[]> {
  const got: OutboxEvent[] = [];
  const ac = new AbortController();
  const run = outbox.drain(
    async (ev) => {
      got.push(ev);
      if (got.length >= upTo) ac.abort();
    },
    4,
    ac.signal,
  );
  while (outbox.stats().depth > 0 && !ac.signal.aborted) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await run;
  return got;
}

describe('Outbox', () => {
  it('assigns id/bootId/seq/ts, keeps the given ts, and replays unacked events after a restart', async () => {
    const dir = tmp();
    const a = mk(dir);
    await a.start();
    const ts = new Date('2026-01-02T03:04:05.000Z');
    for (let i = 0; i < 25; i++)
      await a.emit('scan.completed', { cameras: i, errors: 0, policyRevision: 'r' }, i === 0 ? { ts } : undefined);
    await a.stop();
    const b = mk(dir);
    await b.start();
    expect(b.bootId).not.toBe(a.bootId);
    expect(b.stats().depth).toBe(25);
    const got = await drainAll(b);
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(got[0]).toMatchObject({
      id: `${a.bootId}-1`,
      bootId: a.bootId,
      ts: ts.toISOString(),
      replayed: true,
      cameras: 0,
    });
    await b.stop();
    // everything acked: segments compacted, nothing replays
    const c = mk(dir);
    await c.start();
    expect(c.stats().depth).toBe(0);
    expect(readdirSync(join(dir, 'outbox')).filter((f) => f.startsWith('seg-')).length).toBeLessThanOrEqual(2);
    await c.emit('scan.completed', { cameras: 0, errors: 0, policyRevision: 'r' });
    const fresh = await drainAll(c);
    expect(fresh[0]?.replayed).toBeUndefined();
    expect(fresh[0]?.seq).toBe(1);
    await c.stop();
  });

  it('cuts off a torn last line (crash mid-write) and keeps every confirmed event', async () => {
    const dir = tmp();
    const a = mk(dir);
    await a.start();
    for (let i = 0; i < 5; i++) await a.emit('scan.completed', { cameras: i, errors: 0, policyRevision: 'r' });
    await a.stop();
    const seg =
      readdirSync(join(dir, 'outbox'))
        .filter((f) => f.startsWith('seg-'))
        .sort()
        .at(-1) ?? '';
    appendFileSync(join(dir, 'outbox', seg), '{"pos":99,"ev":{"id":"x"');
    const b = mk(dir);
    await b.start();
    expect(b.stats().depth).toBe(5);
    await b.emit('scan.completed', { cameras: 5, errors: 0, policyRevision: 'r' });
    await b.stop();
    const c = mk(dir);
    await c.start();
    const got = await drainAll(c);
    expect(got.map((e) => e.cameras)).toEqual([0, 1, 2, 3, 4, 5]);
    await c.stop();
  });

  it('replays a segment written before records lost their critical flag', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'outbox'));
    const ev = (seq: number) => ({
      id: `old-${seq}`,
      bootId: 'old',
      seq,
      ts: '2026-01-02T03:04:05.000Z',
      type: 'enforcement.applied',
      op: 'apply',
      key: `isolate:192.0.2.${seq}`,
      action: 'isolate',
      cameras: ['c1'],
    });
    writeFileSync(
      join(dir, 'outbox', 'seg-000000000001.jsonl'),
      `${JSON.stringify({ pos: 1, critical: true, ev: ev(1) })}\n${JSON.stringify({ pos: 2, ev: ev(2) })}\n`,
    );
    const a = mk(dir);
    await a.start();
    expect(a.stats().depth).toBe(2);
    const got = await drainAll(a);
    expect(got).toEqual([
      { ...ev(1), replayed: true },
      { ...ev(2), replayed: true },
    ]);
    // and a critical event is now written without the flag
    await a.emit('enforcement.applied', { op: 'apply', key: 'isolate:192.0.2.9', action: 'isolate', cameras: ['c9'] });
    await a.stop();
    const seg = readdirSync(join(dir, 'outbox'))
      .filter((f) => f.startsWith('seg-'))
      .sort()
      .at(-1);
    expect(readFileSync(join(dir, 'outbox', seg ?? ''), 'utf8')).not.toContain('critical');
  });

  it('raises outbox.alarm before dropping, drops only non-critical events past the limit', async () => {
    const dir = tmp();
    const a = mk(dir, { alarmEvents: 100, maxEvents: 1000 });
    await a.start();
    // 999 events + the alarm itself fill the outbox to exactly maxEvents
    for (let i = 0; i < 999; i++) await a.emit('scan.completed', { cameras: i, errors: 0, policyRevision: 'r' });
    expect(a.stats().depth).toBe(1000);
    expect(a.stats().alarm).toBe(true);
    await a.emit('scan.completed', { cameras: -1, errors: 0, policyRevision: 'dropped' });
    await a.emit('enforcement.applied', { op: 'apply', key: 'isolate:192.0.2.1', action: 'isolate', cameras: ['c1'] });
    await a.emit('decision.changed', {
      cameraId: 'c2',
      previousAction: 'allow',
      action: 'block',
      reasons: [],
      zone: 'z',
    });
    const s = a.stats();
    expect(s.dropped).toBe(1);
    const got = await drainAll(a);
    expect(got.filter((e) => e.type === 'outbox.alarm')).toHaveLength(1);
    expect(got.findIndex((e) => e.type === 'outbox.alarm')).toBe(100);
    expect(got.some((e) => e.type === 'enforcement.applied')).toBe(true);
    expect(got.some((e) => e.type === 'decision.changed')).toBe(true);
    expect(got.some((e) => e.policyRevision === 'dropped')).toBe(false);
    await a.stop();
  });

  it('a failed publish leaves the event queued and it is resent marked replayed', async () => {
    const dir = tmp();
    const a = mk(dir);
    await a.start();
    await a.emit('scan.completed', { cameras: 0, errors: 0, policyRevision: 'r' });
    const ac = new AbortController();
    await a.drain(async () => Promise.reject(new Error('connection lost')), 4, ac.signal);
    expect(a.stats().depth).toBe(1);
    const got = await drainAll(a);
    expect(got[0]).toMatchObject({ cameras: 0, replayed: true });
    await a.stop();
  });
});

const cam = (id: string, action: 'allow' | 'flag' | 'block'): CameraRecord => ({
  id,
  kind: 'camera',
  endpoint: '',
  address: '192.0.2.1',
  xaddr: '',
  scopes: [],
  location: { zone: 'toilet', source: 'scope', tags: [] },
  decision: { action, reasons: [{ code: 'prohibited-zone', rule: 'cn-2025', article: 'Article 8', message: 'm' }] },
  errors: [],
});

describe('diffInventories', () => {
  it('emits added, removed and decision.changed with previous and new action and reasons', () => {
    const ev = diffInventories([cam('a', 'allow'), cam('b', 'flag')], [cam('a', 'block'), cam('c', 'allow')]);
    expect(ev.map((e) => e.type).sort()).toEqual(['camera.added', 'camera.removed', 'decision.changed']);
    const dc = ev.find((e) => e.type === 'decision.changed');
    expect(dc?.data).toMatchObject({ cameraId: 'a', previousAction: 'allow', action: 'block' });
    expect(dc?.data.reasons).toHaveLength(1);
    expect(ev.find((e) => e.type === 'camera.removed')?.data.cameraId).toBe('b');
    expect(diffInventories([cam('a', 'allow')], [cam('a', 'allow')])).toEqual([]);
    expect(diffInventories(undefined, [cam('a', 'allow')]).map((e) => e.type)).toEqual(['camera.added']);
  });
});
