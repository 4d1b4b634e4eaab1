import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultClientId } from '../../src/registry/client-id.js';
import type { Database } from '../../src/registry/database.js';
import { cameraKnown, listDecisionHistory } from '../../src/registry/decision-history.js';
import { openEmbedded } from '../../src/registry/embedded-database.js';
import type { IngestItem } from '../../src/registry/ingest-item.js';
import { IngestQueue } from '../../src/registry/ingest-queue.js';
import { migrate, readMigrations } from '../../src/registry/migrate.js';
import { openPostgres } from '../../src/registry/postgres-database.js';
import {
  listCameras,
  listEnforcement,
  listEvents,
  listGaps,
  listGateways,
  listInventories,
  listRequests,
  listSites,
} from '../../src/registry/queries.js';
import { RejectCounter } from '../../src/registry/reject-counter.js';
import { writeBatch } from '../../src/registry/write-batch.js';
import { silentLogger } from '../../src/util/logger.js';
import { postgresAvailable, requireCapability } from '../helpers/capabilities.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { camera, event, inventory, status } from './payloads.js';

/** The same storage tests on the embedded database and on a real PostgreSQL (one database per run, dropped). */
const stores = [
  'embedded',
  ...(requireCapability('postgres', postgresAvailable()) ? ['postgres' as const] : []),
] as const;

type Body = IngestItem extends infer T
  ? T extends IngestItem
    ? Omit<T, 'site' | 'gateway' | 'receivedAt'>
    : never
  : never;

/** A request as a gateway stores it (signature 'c2ln', which must never reach the database). */
function signedRequest(transaction: string, args: Record<string, unknown> = { dryRun: true }) {
  return {
    transaction,
    issuedAt: '2026-11-29T10:00:00.000Z',
    expiresAt: '2026-11-29T10:05:00.000Z',
    keyId: '0123456789abcdef',
    args,
    signature: 'c2ln',
  };
}

function from(site: string, gateway: string, body: Body, receivedAt = new Date()): IngestItem {
  return { site, gateway, receivedAt, ...body } as IngestItem;
}

describe.each(stores)('registry storage (%s)', (kind) => {
  let db: Database;
  /** Another, empty database of the same kind (a migration from an older schema). */
  const freshDatabase = async (): Promise<{ db: Database; close: () => Promise<void> }> => {
    if (kind === 'embedded') {
      const d = mkdtempSync(join(tmpdir(), 'cw-reg-fresh-'));
      const fdb = await openEmbedded(join(d, 'db'));
      const close = async () => {
        await fdb.close();
        rmSync(d, { recursive: true, force: true });
      };
      return { db: fdb, close };
    }
    const t = await createTestDatabase('fresh');
    const fdb = await openPostgres(t.url);
    const close = async () => {
      await fdb.close();
      await t.drop();
    };
    return { db: fdb, close };
  };
  let dir: string | undefined;
  let pgdb: TestDatabase | undefined;
  const write = (items: IngestItem[]) => db.transaction((tx) => writeBatch(tx, items));

  beforeAll(async () => {
    if (kind === 'embedded') {
      dir = mkdtempSync(join(tmpdir(), 'cw-reg-store-'));
      db = await openEmbedded(join(dir, 'db'));
    } else {
      pgdb = await createTestDatabase('store');
      db = await openPostgres(pgdb.url);
    }
    await migrate(db);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await pgdb?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('applies each migration once, records it, and refuses a schema newer than it knows', async () => {
    expect(await migrate(db)).toEqual([]);
    const rows = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual((await readMigrations()).map((m) => m.version));
    await db.query("INSERT INTO schema_migrations (version, name) VALUES ('9999', '9999-future.sql')");
    await expect(migrate(db)).rejects.toThrow(/9999.*does not know/);
    await db.query("DELETE FROM schema_migrations WHERE version = '9999'");
  });

  it('derives the default MQTT client id from the database: the same after migrating again, another for another database', async () => {
    const id = await defaultClientId(db, { share: false, host: 'h1' });
    expect(id).toMatch(/^camwarden-registry-[0-9a-f]{16}$/);
    await migrate(db);
    expect(await defaultClientId(db, { share: false, host: 'h2' })).toBe(id); // the host plays no part
    // sharing the load, registries share the database: the host tells them apart
    expect(await defaultClientId(db, { share: true, host: 'gw a' })).toBe(id.replace('registry-', 'registry-gw-a-'));
    const otherDir = mkdtempSync(join(tmpdir(), 'cw-reg-other-'));
    const other = await openEmbedded(join(otherDir, 'db'));
    try {
      await migrate(other);
      expect(await defaultClientId(other, { share: false, host: 'h1' })).not.toBe(id);
    } finally {
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('keeps gateway state from status and last will, never letting a stale or foreign-boot message win', async () => {
    const t = (s: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, s)).toISOString();
    await write([from('st', 'gw', { kind: 'status', status: status('boot-a', t(10), { version: '1.0.0' }) })]);
    let [gw] = await listGateways(db, { site: 'st' });
    expect(gw).toMatchObject({ state: 'online', bootId: 'boot-a', version: '1.0.0', policyRevision: 'rev-1' });
    expect(gw?.outbox).toEqual({ depth: 3, oldestAgeS: 1.5 });
    // an older status of the same boot (re-delivered retained) changes nothing
    await write([from('st', 'gw', { kind: 'status', status: status('boot-a', t(5), { version: '0.9.0' }) })]);
    [gw] = await listGateways(db, { site: 'st' });
    expect(gw?.version).toBe('1.0.0');
    // the will of this boot: offline
    await write([from('st', 'gw', { kind: 'will', bootId: 'boot-a' })]);
    [gw] = await listGateways(db, { site: 'st' });
    expect(gw?.state).toBe('offline');
    // a new boot with a clock behind the old one still wins; a late will of the old boot does not
    await write([
      from('st', 'gw', { kind: 'status', status: status('boot-b', t(1), { audit: { head: 'ab12', seq: 7 } }) }),
    ]);
    await write([from('st', 'gw', { kind: 'will', bootId: 'boot-a' })]);
    [gw] = await listGateways(db, { site: 'st' });
    expect(gw).toMatchObject({ state: 'online', bootId: 'boot-b', auditHead: 'ab12' });
    await write([from('st', 'gw', { kind: 'status', status: status('boot-b', t(2), { state: 'stopped' }) })]);
    [gw] = await listGateways(db, { site: 'st' });
    expect(gw?.state).toBe('stopped');
    expect(gw?.lastSeen).not.toBeNull();
  });

  it('keeps the latest record of each camera; a camera left out of the inventory or emptied is gone', async () => {
    const t1 = '2026-11-29T10:00:00.000Z';
    const t2 = '2026-11-29T10:05:00.000Z';
    const cams = [camera('c-toilet', 'block', 'toilet'), camera('c-lobby', 'allow', 'public-other')];
    await write([from('s1', 'gw1', { kind: 'inventory', inventory: inventory('b1', t1, cams) })]);
    let list = await listCameras(db, { site: 's1' });
    expect(list.map((c) => c.id)).toEqual(['c-toilet', 'c-lobby']); // block first
    expect(list[0]).toMatchObject({ site: 's1', gateway: 'gw1', decision: { action: 'block' }, serial: null });
    expect(list[0]?.lastSeen).toMatch(/^\d{4}-/);
    // next inventory without the lobby camera, and a new flagged one over the camera topic
    await write([
      from('s1', 'gw1', { kind: 'inventory', inventory: inventory('b1', t2, [cams[0] as never]) }),
      from('s1', 'gw1', { kind: 'camera', cameraId: 'c-new', record: camera('c-new', 'flag', 'unknown') }),
    ]);
    list = await listCameras(db, { site: 's1' });
    expect(list.map((c) => c.id)).toEqual(['c-toilet', 'c-new']);
    // an older inventory of the same boot does not bring the lobby camera back
    await write([from('s1', 'gw1', { kind: 'inventory', inventory: inventory('b1', t1, cams) })]);
    expect((await listCameras(db, { site: 's1' })).map((c) => c.id)).toEqual(['c-toilet', 'c-new']);
    await write([from('s1', 'gw1', { kind: 'camera', cameraId: 'c-new', record: null })]);
    expect((await listCameras(db, { site: 's1' })).map((c) => c.id)).toEqual(['c-toilet']);
    expect(await listCameras(db, { site: 's1', action: 'allow' })).toEqual([]);
    expect((await listCameras(db, { zone: 'toilet' })).map((c) => c.id)).toEqual(['c-toilet']);
    const [inv] = await listInventories(db, 's1');
    expect(inv?.inventory).toMatchObject({ unit: 'Example Retail Co.', filingNumber: 'GA-330106-2025-0042' });
    expect(inv?.inventory).not.toHaveProperty('cameras');
    const [site] = (await listSites(db)).filter((s) => s.site === 's1');
    expect(site).toMatchObject({ site: 's1', gateways: 1, cameras: { total: 1, allow: 0, flag: 0, block: 1 } });
  });

  it('de-duplicates events on id and keeps seq gaps per boot until late events fill them', async () => {
    const ev = (boot: string, seq: number) =>
      from('sg', 'gw', { kind: 'event', event: event(boot, seq, 'scan.completed') });
    const first = await write([ev('b1', 1), ev('b1', 2), ev('b1', 2), ev('b1', 5), ev('b1', 6)]);
    expect(first.eventIds).toEqual(['b1-1', 'b1-2', 'b1-5', 'b1-6']);
    expect((await write([ev('b1', 1)])).eventIds).toEqual([]);
    let gaps = await listGaps(db, { site: 'sg' });
    expect(gaps.map((g) => [g.bootId, g.from, g.to, g.missing])).toEqual([['b1', 3, 4, 2]]);
    // a late event is a delay, not a loss: the gap shrinks, then closes
    await write([ev('b1', 4)]);
    gaps = await listGaps(db, { site: 'sg' });
    expect(gaps.map((g) => [g.from, g.to])).toEqual([[3, 3]]);
    // another boot that the registry first hears from at seq 3: 1-2 were missed
    await write([ev('b2', 3), ev('b1', 3), ev('b1', 9)]);
    gaps = await listGaps(db, { site: 'sg' });
    expect(gaps.map((g) => [g.bootId, g.from, g.to]).sort()).toEqual([
      ['b1', 7, 8],
      ['b2', 1, 2],
    ]);
    const events = await listEvents(db, { site: 'sg', limit: 3 });
    expect(events.map((e) => e.id)).toEqual(['b1-9', 'b1-6', 'b1-5']);
    expect(events[0]).toMatchObject({ site: 'sg', gateway: 'gw', type: 'scan.completed', seq: 9 });
    expect(await listEvents(db, { site: 'sg', since: '2026-11-29T10:00:06.000Z', limit: 10 })).toHaveLength(2);
    expect(await listEvents(db, { site: 'sg', type: 'camera.added', limit: 10 })).toEqual([]);
  });

  it('derives enforcement state, decision history and the audit head from events', async () => {
    const e = (seq: number, type: string, data: Record<string, unknown>) =>
      from('se', 'gw', { kind: 'event', event: event('b1', seq, type, data) });
    await write([
      e(1, 'camera.added', { cameraId: 'c1', kind: 'camera', address: '192.0.2.1', zone: 'toilet', action: 'block' }),
      e(2, 'enforcement.applied', { key: 'isolate:192.0.2.1', action: 'isolate', cameras: ['c1'], cameraId: 'c1' }),
      e(3, 'audit.appended', { kind: 'enforcement', hash: 'aa'.repeat(32), prev: '00'.repeat(32) }),
    ]);
    await write([
      e(5, 'enforcement.reverted', { key: 'isolate:192.0.2.1', action: 'isolate', cameras: ['c1'] }),
      // older than what is stored: ignored
      e(4, 'enforcement.failed', { key: 'isolate:192.0.2.1', action: 'isolate', cameras: ['c1'], error: 'x' }),
      e(6, 'decision.changed', { cameraId: 'c1', previousAction: 'block', action: 'flag', reasons: [] }),
      e(7, 'audit.appended', { kind: 'enforcement', hash: 'bb'.repeat(32) }),
    ]);
    const [row] = await listEnforcement(db, 'se');
    expect(row).toMatchObject({ key: 'isolate:192.0.2.1', state: 'reverted', cameras: ['c1'] });
    const history = await db.query<{ change: string; action: string }>(
      "SELECT change, action FROM camera_decisions WHERE site = 'se' ORDER BY at",
    );
    expect(history).toEqual([
      { change: 'added', action: 'block' },
      { change: 'changed', action: 'flag' },
    ]);
    await write([e(8, 'camera.removed', { cameraId: 'c1', lastAction: 'flag' })]);
    // per camera, newest first, each change with the event it came from
    const changes = await listDecisionHistory(db, { cameraId: 'c1', site: 'se', limit: 10 });
    expect(changes.map((c) => [c.change, c.action, c.previousAction, c.eventId])).toEqual([
      ['removed', 'flag', null, 'b1-8'],
      ['changed', 'flag', 'block', 'b1-6'],
      ['added', 'block', null, 'b1-1'],
    ]);
    expect(changes[1]).toMatchObject({ site: 'se', gateway: 'gw', cameraId: 'c1', reasons: [] });
    expect(await listDecisionHistory(db, { cameraId: 'c1', site: 'se', limit: 1 })).toHaveLength(1);
    expect(await listDecisionHistory(db, { cameraId: 'c1', site: 'elsewhere', limit: 10 })).toEqual([]);
    expect(await cameraKnown(db, { cameraId: 'c1', site: 'se' })).toBe(true);
    expect(await cameraKnown(db, { cameraId: 'c-never', site: 'se' })).toBe(false);
    const [gw] = await listGateways(db, { site: 'se' });
    expect(gw?.auditHead).toBe('bb'.repeat(32));
  });

  it('stores requests (without signature) with their responses', async () => {
    const request = signedRequest('tx-1');
    const r = (retained: boolean) => from('sr', 'gw', { kind: 'request', op: 'sweep', request, retained });
    await write([r(false)]);
    await write([
      r(false),
      from('sr', 'gw', {
        kind: 'response',
        op: 'sweep',
        response: { transaction: 'tx-1', status: 'ok', data: { deleted: 1 } },
      }),
    ]);
    const [req] = await listRequests(db, { site: 'sr', limit: 10 });
    expect(req).toMatchObject({ op: 'sweep', transaction: 'tx-1', keyId: '0123456789abcdef', timesSeen: 2 });
    expect(req?.response).toMatchObject({ status: 'ok' });
    const raw = await db.query('SELECT * FROM requests WHERE site = $1', ['sr']);
    expect(JSON.stringify(raw)).not.toContain('c2ln');
  });

  it('counts a request delivered again after a crash (same session and packet id) once', async () => {
    const request = signedRequest('tx-redelivered');
    const r = (delivery: string | undefined, at = new Date()) =>
      from(
        'sd',
        'gw',
        { kind: 'request', op: 'sweep', request, retained: false, ...(delivery ? { delivery } : {}) },
        at,
      );
    const seen = async () => {
      const [req] = await listRequests(db, { site: 'sd', limit: 10 });
      return req?.timesSeen;
    };
    await write([r('registry-1#7', new Date('2026-11-29T10:00:01Z'))]);
    await write([r('registry-1#7', new Date('2026-11-29T10:00:09Z'))]); // the broker's redelivery: not seen again
    expect(await seen()).toBe(1);
    const [row] = await db.query<{ last_seen: unknown }>(
      "SELECT last_seen FROM requests WHERE site = 'sd' AND transaction = 'tx-redelivered'",
    );
    expect(new Date(String(row?.last_seen)).toISOString()).toBe('2026-11-29T10:00:01.000Z');
    await write([r('registry-1#8')]); // published again: a new delivery
    await write([r('registry-2#7')]); // another registry's session, same packet id
    await write([r(undefined)]); // QoS 0: never redelivered, always counted
    expect(await seen()).toBe(4);
    // a burst of replays: the newest deliveries stay recognisable, the list stays bounded
    await write(Array.from({ length: 20 }, (_, i) => r(`registry-1#${100 + i}`)));
    await write([r('registry-1#119'), r('registry-1#110')]);
    expect(await seen()).toBe(24);
    const [kept] = await db.query<{ n: unknown }>(
      "SELECT cardinality(deliveries) AS n FROM requests WHERE site = 'sd' AND transaction = 'tx-redelivered'",
    );
    expect(Number(kept?.n)).toBe(16);
  });

  it('does not count a retained copy of a stored request again when the broker hands it out at a subscription', async () => {
    const request = signedRequest('tx-retained');
    const r = (retained: boolean, delivery: string | undefined, args: Record<string, unknown> = request.args) =>
      from('st', 'gw', {
        kind: 'request',
        op: 'sweep',
        request: { ...request, args },
        retained,
        ...(delivery ? { delivery } : {}),
      });
    const seen = async () => (await listRequests(db, { site: 'st', limit: 10 }))[0]?.timesSeen;
    await write([r(true, 'registry-1#40')]); // first heard of as the retained message: stored, counted
    expect(await seen()).toBe(1);
    await write([r(true, 'registry-1#41')]); // the registry subscribed again
    await write([r(true, 'registry-2#3')]); // another registry's session (a restart under a new id, a shared group)
    await write([r(true, undefined)]); // at QoS 0
    expect(await seen()).toBe(1);
    await write([r(false, 'registry-1#42')]); // published again, live: counts
    expect(await seen()).toBe(2);
    await write([r(true, 'registry-1#43', { dryRun: false })]); // a retained message that is not the stored request
    expect(await seen()).toBe(3);
  });

  it('stores a response once whether the broker delivers it again or the gateway publishes it twice; a different answer is kept', async () => {
    const request = signedRequest('tx-answered', {});
    const ok = { transaction: 'tx-answered', status: 'ok' as const, data: { cameras: 3, errors: 0 } };
    const replayed = {
      transaction: 'tx-answered',
      status: 'error' as const,
      error: { code: 'replayed', message: 'transaction already seen' },
    };
    const res = (response: typeof ok | typeof replayed, delivery: string | undefined, at: string) =>
      from('sp', 'gw', { kind: 'response', op: 'scan', response, ...(delivery ? { delivery } : {}) }, new Date(at));
    const rows = async () =>
      db.query<{ status: string; received_at: unknown; last_seen: unknown }>(
        "SELECT status, received_at, last_seen FROM responses WHERE site = 'sp' ORDER BY received_at",
      );
    const latest = async () => (await listRequests(db, { site: 'sp', limit: 10 }))[0]?.response;
    const iso = (v: unknown) => new Date(String(v)).toISOString();
    await write([from('sp', 'gw', { kind: 'request', op: 'scan', request, retained: false })]);

    await write([res(ok, 'registry-1#20', '2026-11-29T10:00:01Z')]);
    await write([res(ok, 'registry-1#20', '2026-11-29T10:00:09Z')]); // the broker's redelivery after a crash
    await write([res(ok, 'registry-1#21', '2026-11-29T10:00:02Z')]); // the gateway published it twice
    expect((await rows()).map((r) => [r.status, iso(r.received_at), iso(r.last_seen)])).toEqual([
      ['ok', '2026-11-29T10:00:01.000Z', '2026-11-29T10:00:02.000Z'],
    ]);

    // a replay of the request is refused: another answer to the same transaction, kept and now the latest
    await write([res(replayed, 'registry-1#30', '2026-11-29T10:00:03Z')]);
    expect(await latest()).toMatchObject({ status: 'error', receivedAt: '2026-11-29T10:00:03.000Z' });
    // the first answer delivered again (a registry that died before acknowledging it) does not become the latest
    await write([res(ok, 'registry-1#20', '2026-11-29T10:00:10Z')]);
    expect(await latest()).toMatchObject({ status: 'error', receivedAt: '2026-11-29T10:00:03.000Z' });
    expect(await rows()).toHaveLength(2);
    // a second replay refused the same way (a new delivery, QoS 0 here): one row, arrived last
    await write([res(replayed, undefined, '2026-11-29T10:00:04Z')]);
    expect((await rows()).map((r) => [r.status, iso(r.last_seen)])).toEqual([
      ['ok', '2026-11-29T10:00:02.000Z'],
      ['error', '2026-11-29T10:00:04.000Z'],
    ]);
  });

  it('collapses the copies of a response stored before responses were stored once (migration 0005)', async () => {
    const fresh = await freshDatabase();
    try {
      const all = await readMigrations();
      await migrate(
        fresh.db,
        all.filter((m) => m.version < '0005'),
      );
      const insert = (data: string | null, at: string) =>
        fresh.db.query(
          `INSERT INTO responses (site, gateway, op, transaction, status, data, error, received_at)
           VALUES ('s', 'g', 'scan', 'tx', $1, $2::text::jsonb, NULL, $3)`,
          [data === null ? 'error' : 'ok', data, at],
        );
      await insert('{"cameras":1,"errors":0}', '2026-11-29T10:00:01Z');
      await insert('{"errors":0,"cameras":1}', '2026-11-29T10:00:05Z');
      await insert('{"cameras":2,"errors":0}', '2026-11-29T10:00:03Z');
      await migrate(fresh.db, all);
      const rows = await fresh.db.query<{ data: unknown; received_at: unknown; last_seen: unknown }>(
        'SELECT data, received_at, last_seen FROM responses ORDER BY received_at',
      );
      expect(
        rows.map((r) => [
          r.data,
          new Date(String(r.received_at)).getUTCSeconds(),
          new Date(String(r.last_seen)).getUTCSeconds(),
        ]),
      ).toEqual([
        [{ cameras: 1, errors: 0 }, 1, 5],
        [{ cameras: 2, errors: 0 }, 3, 3],
      ]);
      // a copy arriving after the upgrade is recognised: the digest is the same expression
      await fresh.db.transaction((tx) =>
        writeBatch(tx, [
          from('s', 'g', {
            kind: 'response',
            op: 'scan',
            response: { transaction: 'tx', status: 'ok', data: { cameras: 2, errors: 0 } },
          }),
        ]),
      );
      expect(await fresh.db.query('SELECT 1 FROM responses')).toHaveLength(2);
    } finally {
      await fresh.close();
    }
  });

  it('stores SQL-looking text verbatim as data', async () => {
    const evil = "x'); DROP TABLE cameras; --";
    const cam = camera('c-sql', 'flag', 'unknown');
    cam.model = evil;
    cam.decision.reasons[0] = { code: 'unclassified-zone', rule: 'cn-2025', article: '', message: evil };
    await write([
      from('sq', 'gw', { kind: 'camera', cameraId: 'c-sql', record: cam }),
      from('sq', 'gw', { kind: 'event', event: event('b1', 1, 'scan.completed', { note: evil }) }),
    ]);
    const [stored] = await listCameras(db, { site: 'sq' });
    expect(stored?.model).toBe(evil);
    expect((await listEvents(db, { site: 'sq', limit: 1 }))[0]?.note).toBe(evil);
    expect(await listCameras(db, { site: 's1' })).not.toEqual([]);
  });

  it('refuses the one message the database cannot store and keeps the rest of its batch', async () => {
    const rejects = new RejectCounter(silentLogger());
    const queue = new IngestQueue({ db, logger: silentLogger(), rejects, lingerMs: 1 });
    // PostgreSQL cannot hold NUL in jsonb text (the parser refuses such messages; this one slipped past it)
    const poison = event('b2', 1, 'scan.completed', { note: 'a\u0000b' });
    for (let seq = 1; seq <= 20; seq++) {
      await queue.offer(from('sp', 'gw', { kind: 'event', event: event('b1', seq, 'scan.completed') }));
      if (seq === 10) await queue.offer(from('sp', 'gw', { kind: 'event', event: poison }));
    }
    expect(await queue.drain(20_000)).toBe(true);
    queue.stop();
    expect(rejects.snapshot()).toEqual({ 'store-failed': 1 });
    expect(await listEvents(db, { site: 'sp', limit: 100 })).toHaveLength(20);
    expect(await listGaps(db, { site: 'sp' })).toEqual([]);
    expect(queue.stats()).toMatchObject({ queued: 0, stored: 20 });
  });
});

describe('embedded database lock', () => {
  it('lets one opener at a time use it', async () => {
    const held = mkdtempSync(join(tmpdir(), 'cw-reg-lock-'));
    const db = await openEmbedded(join(held, 'db'));
    await expect(openEmbedded(join(held, 'db'))).rejects.toThrow(/in use by process \d+/);
    await db.close();
    rmSync(held, { recursive: true, force: true });
    // a lock left by a process that is gone (a crash) is taken over
    const other = mkdtempSync(join(tmpdir(), 'cw-reg-lock-'));
    writeFileSync(join(other, 'db.lock'), '999999999\n');
    const reopened = await openEmbedded(join(other, 'db'));
    expect(await reopened.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await reopened.close();
    expect(existsSync(join(other, 'db.lock'))).toBe(false);
    // a bare pid (the lock's older format) that is ours is a previous life of this pid: taken over
    writeFileSync(join(other, 'db.lock'), `${process.pid}\n`);
    const mine = await openEmbedded(join(other, 'db'));
    await mine.close();
    // another live process holds it: refused
    writeFileSync(join(other, 'db.lock'), `${process.ppid}\n`);
    await expect(openEmbedded(join(other, 'db'))).rejects.toThrow(`in use by process ${process.ppid}`);
    rmSync(other, { recursive: true, force: true });
  }, 90_000);
});
