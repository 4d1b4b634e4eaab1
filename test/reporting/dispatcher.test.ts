import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { parseCommandKeys } from '../../src/reporting/requests/command-keys.js';
import { REFUSALS_RECORDED_PER_MINUTE, RequestDispatcher } from '../../src/reporting/requests/dispatcher.js';
import { ReplayStore } from '../../src/reporting/requests/replay-store.js';
import type { RequestHandlers } from '../../src/reporting/requests/schemas.js';
import { signRequest } from '../../src/reporting/requests/signing.js';
import { silentLogger } from '../../src/util/logger.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';

afterEach(expectEventsMatchSchemas);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const NOW = new Date('2026-06-01T12:00:00.000Z');
const TOPIC = (op: string) => `camwarden/s1/gw1/request/${op}`;

async function setup(opts: { keys?: boolean; dir?: string; handlers?: RequestHandlers; now?: () => Date } = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cw-rep-req-'));
  dirs.push(dir);
  const store = new ReplayStore(join(dir, 'seen-requests.jsonl'), () => NOW);
  await store.start();
  const events = new CheckedEventSink();
  const audit = new MemoryAuditSink();
  const d = new RequestDispatcher({
    keys: opts.keys === false ? undefined : parseCommandKeys(pem),
    handlers: opts.handlers ?? { status: async () => ({ fine: true }), 'legal-hold/add': async (a) => a },
    replayStore: store,
    events,
    audit,
    logger: silentLogger(),
    now: opts.now ?? (() => NOW),
  });
  return { d, store, events, audit, dir };
}
const req = (tx: string, args: Record<string, unknown> = {}, issued = -60_000, expires = 300_000) => ({
  transaction: tx,
  issuedAt: new Date(NOW.getTime() + issued).toISOString(),
  expiresAt: new Date(NOW.getTime() + expires).toISOString(),
  args,
});
const send = (d: RequestDispatcher, op: string, body: unknown, retained = false) =>
  d.handle(TOPIC(op), op, Buffer.from(JSON.stringify(body)), retained);

describe('RequestDispatcher', () => {
  it('runs a good request and echoes the transaction', async () => {
    const { d, events, audit } = await setup();
    expect(await send(d, 'status', signRequest(TOPIC('status'), req('t1'), privateKey))).toEqual({
      transaction: 't1',
      status: 'ok',
      data: { fine: true },
    });
    expect(events.ofType('request.handled')).toHaveLength(1);
    expect(audit.entries).toHaveLength(1);
  });

  it('a flood of junk is answered, but recorded at most 60 a minute; the count rides on the next record', async () => {
    let now = NOW.getTime();
    const { d, events, audit } = await setup({ now: () => new Date(now) });
    const junk = () => d.handle(TOPIC('status'), `status${'x'.repeat(5000)}`, Buffer.from('junk'), false);
    for (let i = 0; i < 200; i++) expect((await junk()).status).toBe('error');
    expect(events.ofType('request.refused')).toHaveLength(REFUSALS_RECORDED_PER_MINUTE);
    expect(audit.entries).toHaveLength(REFUSALS_RECORDED_PER_MINUTE);
    // a long op is cut in the record
    expect(events.ofType('request.refused')[0]?.op.length).toBe(128);
    now += 60_000;
    await junk();
    const last = events.ofType('request.refused').at(-1);
    expect(last?.suppressed).toBe(200 - REFUSALS_RECORDED_PER_MINUTE);
    expect(audit.entries).toHaveLength(REFUSALS_RECORDED_PER_MINUTE + 1);
  });

  it('refuses with the right code, each refusal an event and an audit entry', async () => {
    const { d, events, audit } = await setup();
    const cases: Array<[string, unknown, boolean, string]> = [
      ['status', signRequest(TOPIC('status'), req('r1'), privateKey), true, 'replayed'],
      ['reboot', signRequest(TOPIC('reboot'), req('r2'), privateKey), false, 'unknown-op'],
      ['status', signRequest(TOPIC('status'), req('r3', {}, 3_600_000, 3_700_000), privateKey), false, 'expired'],
      ['status', signRequest(TOPIC('status'), req('r4', {}, -60_000, 7 * 86_400_000), privateKey), false, 'expired'],
      ['status', signRequest(TOPIC('sweep'), req('r5'), privateKey), false, 'unauthorized'],
      [
        'legal-hold/add',
        signRequest(TOPIC('legal-hold/add'), req('r6', { cameraId: 'c' }), privateKey),
        false,
        'invalid-request',
      ],
      ['status', 'not an object', false, 'invalid-request'],
    ];
    for (const [op, body, retained, code] of cases) {
      const res = await send(d, op, body, retained);
      expect(res.status, `${code}`).toBe('error');
      expect(res.error?.code).toBe(code);
    }
    expect(await d.handle(TOPIC('status'), 'status', Buffer.from('{nope'), false)).toMatchObject({
      error: { code: 'invalid-request' },
    });
    expect(events.ofType('request.refused')).toHaveLength(cases.length + 1);
    expect(audit.entries.filter((e) => e.kind === 'request')).toHaveLength(cases.length + 1);
  });

  it('refuses everything when no keys are configured', async () => {
    const { d } = await setup({ keys: false });
    const res = await send(d, 'status', signRequest(TOPIC('status'), req('k1'), privateKey));
    expect(res.error?.code).toBe('unauthorized');
  });

  it('remembers accepted transactions across a restart', async () => {
    const first = await setup();
    const good = signRequest(TOPIC('status'), req('persist'), privateKey);
    expect((await send(first.d, 'status', good)).status).toBe('ok');
    await first.store.stop();
    const second = await setup({ dir: first.dir });
    expect((await send(second.d, 'status', good)).error?.code).toBe('replayed');
  });

  it('a handler failure is an error response, not a crash', async () => {
    const { d } = await setup({
      handlers: {
        scan: async () => {
          throw new Error('scanner busy');
        },
      },
    });
    const res = await send(d, 'scan', signRequest(TOPIC('scan'), req('h1'), privateKey));
    expect(res).toMatchObject({
      transaction: 'h1',
      status: 'error',
      error: { code: 'internal', message: 'scanner busy' },
    });
  });

  it('block/release: strict args, and the handler learns which key signed the request', async () => {
    const seen: unknown[] = [];
    const { d } = await setup({
      handlers: {
        'block/release': async (args, request) => {
          seen.push({ args, request });
          return { released: args.cameraId };
        },
      },
    });
    const args = { cameraId: '0f000000-0000-4000-8000-000000000010', reason: 'wrong tag', unit: 'Site A', name: 'Li' };
    const ok = await send(d, 'block/release', signRequest(TOPIC('block/release'), req('b1', args), privateKey));
    expect(ok).toEqual({ transaction: 'b1', status: 'ok', data: { released: args.cameraId } });
    const { keyId } = signRequest(TOPIC('block/release'), req('b1', args), privateKey);
    expect(seen).toEqual([{ args, request: { keyId, transaction: 'b1' } }]);
    for (const [i, bad] of [
      { ...args, cameraId: '..' },
      { ...args, cameraId: 'a/b' },
      { ...args, reason: ' ' },
      { cameraId: args.cameraId, reason: 'r', unit: 'u' },
      { ...args, extra: true },
    ].entries()) {
      const res = await send(d, 'block/release', signRequest(TOPIC('block/release'), req(`bad${i}`, bad), privateKey));
      expect(res.error?.code, JSON.stringify(bad)).toBe('invalid-request');
    }
    expect(seen).toHaveLength(1);
  });

  it('refuses an oversized payload before parsing it, even one that is validly signed', async () => {
    const { d, events } = await setup();
    // 20 MiB of padding in an envelope field the schema does not know: parsing it is the cost a peer imposes
    const big = signRequest(TOPIC('status'), { ...req('big'), padding: 'x'.repeat(20 * 1024 * 1024) }, privateKey);
    const res = await send(d, 'status', big);
    expect(res).toMatchObject({ transaction: null, status: 'error', error: { code: 'invalid-request' } });
    expect(res.error?.message).toMatch(/too large/);
    expect(events.ofType('request.handled')).toHaveLength(0);
  });

  it('the seen-transaction store stays bounded: expired entries leave memory and the file while running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-rep-seen-'));
    dirs.push(dir);
    let now = NOW.getTime();
    const file = join(dir, 'seen-requests.jsonl');
    const store = new ReplayStore(file, () => new Date(now));
    await store.start();
    const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    // an automation asking every 5 s with a 30 min window: at most 360 entries are alive at any time
    for (let i = 0; i < 1500; i++) {
      now += 5_000;
      await store.add(`auto-${i}`, new Date(now + 1_800_000).toISOString());
    }
    expect(lines()).toBeLessThanOrEqual(360 + 500);
    expect(store.size()).toBeLessThanOrEqual(360 + 500);
    // the live ones are still refused, across a restart too
    expect(store.has('auto-1499')).toBe(true);
    await store.stop();
    const again = new ReplayStore(file, () => new Date(now));
    await again.start();
    expect(again.has('auto-1499')).toBe(true);
    expect(again.has('auto-1200')).toBe(true);
    await again.stop();
  });

  it('rejects key files without Ed25519 keys', () => {
    expect(() => parseCommandKeys('nothing here')).toThrow(/no PEM public key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' });
    expect(() => parseCommandKeys(String(rsa))).toThrow(/not Ed25519/);
  });
});
