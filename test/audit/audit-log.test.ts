import { generateKeyPairSync, sign } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashEntry } from '../../src/audit/audit-entry.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { verifyAuditLog } from '../../src/audit/verify.js';
import { main } from '../../src/cli/main.js';
import { CheckedEventSink, expectEventsMatchSchemas } from '../helpers/checked-event-sink.js';

afterEach(expectEventsMatchSchemas);

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-audit-'));
  file = join(dir, 'audit.jsonl');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeLog(n: number): Promise<string[]> {
  const log = new AuditLog({ file });
  await log.start();
  for (let i = 0; i < n; i++) await log.append('enforcement', { i, camera: `cam-${i}` });
  await log.stop();
  return (await readFile(file, 'utf8')).trimEnd().split('\n');
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(args, { stdout, stderr, env: { CAMWARDEN_DATA_DIR: dir }, cwd: dir });
  return { code, out, err };
}

describe('AuditLog', () => {
  it('chains entries from the genesis hash, one JSON line each', async () => {
    const lines = await writeLog(3);
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0].prev).toBe(GENESIS_HASH);
    expect(entries[1].prev).toBe(entries[0].hash);
    expect(entries[2].prev).toBe(entries[1].hash);
    for (const e of entries) expect(hashEntry(e)).toBe(e.hash);
    expect(Object.keys(entries[0]).sort()).toEqual(['data', 'hash', 'kind', 'prev', 'seq', 'ts']);
  });

  it('serialises concurrent appends and resumes the chain after a restart', async () => {
    const log = new AuditLog({ file });
    await log.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append('decision', { i })));
    await log.stop();
    const head = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .at(-1).hash;
    const again = new AuditLog({ file, writer: 'agent' });
    const resumed = await again.start();
    expect(resumed.seq).toBe(51); // 50 and the restart marker
    await again.append('profiles', { revision: 'abc' });
    await again.stop();
    const result = await verifyAuditLog(file);
    expect(result).toMatchObject({ ok: true, entries: 52, lastSeq: 52 });
    const marker = JSON.parse((await readFile(file, 'utf8')).split('\n')[50] as string);
    expect(marker).toMatchObject({
      seq: 51,
      kind: 'audit',
      data: { event: 'restart', previousHead: head, previousSeq: 50 },
    });
    expect(marker.data).toMatchObject({ writer: 'agent', pid: process.pid });
    const order = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .slice(0, 50)
      .map((l) => JSON.parse(l).data.i);
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('forwards each entry as an audit.appended event', async () => {
    const events = new CheckedEventSink();
    const log = new AuditLog({ file, events });
    await log.start();
    await log.append('request', { op: 'rescan' });
    await log.stop();
    const [ev] = events.ofType('audit.appended');
    expect(ev).toMatchObject({ seq: 1, kind: 'request', data: { op: 'rescan' }, prev: GENESIS_HASH });
    expect(typeof ev?.hash).toBe('string');
  });

  it('detects a torn last line after a crash, keeps it aside and records that instead of chaining over it', async () => {
    await writeLog(2);
    await appendFile(file, '{"seq":3,"ts":"2026-');
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 3, kind: 'torn' });
    const log = new AuditLog({ file });
    const report = await log.start();
    expect(report.tornTail).toMatchObject({ offset: expect.any(Number), bytes: 20 });
    await log.append('enforcement', { after: 'crash' });
    await log.stop();
    const result = await verifyAuditLog(file);
    expect(result).toMatchObject({ ok: true, entries: 5 });
    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[2]).toMatchObject({ seq: 3, kind: 'audit', data: { event: 'torn-tail-removed', bytes: 20 } });
    const aside = (await readdir(dir)).find((f) => f.includes('.torn-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside as string), 'utf8')).toBe('{"seq":3,"ts":"2026-');
  });
});

describe('verifyAuditLog and `audit verify`', () => {
  it('passes an intact log (exit 0)', async () => {
    await writeLog(5);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 5 });
    const r = await cli(['audit', 'verify']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('OK, 5 entries');
  });

  it('catches an edited line and names it', async () => {
    const lines = await writeLog(5);
    lines[2] = (lines[2] as string).replace('"cam-2"', '"cam-X"');
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 3, kind: 'hash' });
    const r = await cli(['audit', 'verify', '--file', file, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, entries: 2, fault: { line: 3, kind: 'hash' } });
  });

  it('catches an edited line whose hash was recomputed (the next line no longer chains)', async () => {
    const lines = await writeLog(4);
    const e = JSON.parse(lines[1] as string);
    e.data.camera = 'forged';
    e.hash = hashEntry(e);
    lines[1] = JSON.stringify(e);
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 3, kind: 'prev' });
  });

  it('catches a deleted line at the line after the gap', async () => {
    const lines = await writeLog(5);
    lines.splice(1, 1);
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 2, kind: 'seq' });
    const r = await cli(['audit', 'verify', '--file', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}:2: BROKEN`);
  });

  it('catches a swapped pair at the first of the two', async () => {
    const lines = await writeLog(5);
    [lines[2], lines[3]] = [lines[3] as string, lines[2] as string];
    await writeFile(file, `${lines.join('\n')}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 3, kind: 'seq' });
    expect((await cli(['audit', 'verify', '--file', file])).code).toBe(1);
  });

  it('with an anchor hash, catches lines removed at the end (which the chain alone cannot)', async () => {
    const lines = await writeLog(5);
    const anchor = JSON.parse(lines[4] as string).hash as string;
    expect((await verifyAuditLog(file, { anchor })).ok).toBe(true);
    await writeFile(file, `${lines.slice(0, 3).join('\n')}\n`);
    expect((await verifyAuditLog(file)).ok).toBe(true);
    expect((await verifyAuditLog(file, { anchor })).fault).toMatchObject({ line: 4, kind: 'anchor-missing' });
    expect((await cli(['audit', 'verify', '--file', file, '--anchor', anchor])).code).toBe(1);
    expect((await cli(['audit', 'verify', '--file', file, '--anchor', 'xyz'])).code).toBe(2);
  });

  it('catches a garbage line and an empty line', async () => {
    const lines = await writeLog(3);
    await writeFile(file, `${lines[0]}\n\n${lines[1]}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 2, kind: 'invalid-json' });
    await writeFile(file, `${lines[0]}\n{"seq":2}\n`);
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 2, kind: 'invalid-entry' });
  });

  it('exits 2 naming the file when it does not exist', async () => {
    const r = await cli(['audit', 'verify', '--file', join(dir, 'nope.jsonl')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('nope.jsonl');
  });
});

describe('the chain key and the published head', () => {
  async function signedLog(n: number): Promise<{ lines: string[]; key: string; pub: string }> {
    const key = join(dir, 'audit-signing-key.pem');
    const log = new AuditLog({ file, signingKeyFile: key });
    await log.start();
    for (let i = 0; i < n; i++) await log.append('deletion', { paths: [`cam-${i}/x.mp4`] });
    await log.stop();
    return {
      lines: (await readFile(file, 'utf8')).trimEnd().split('\n'),
      key,
      pub: join(dir, 'audit-signing-key.pub.pem'),
    };
  }

  it('creates the key 0600, declares it first, and signs every entry', async () => {
    const { lines, key, pub } = await signedLog(3);
    expect((await stat(key)).mode & 0o777).toBe(0o600);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({
      kind: 'audit',
      data: { event: 'signing-key', publicKey: await readFile(pub, 'utf8') },
    });
    expect(lines.every((l) => typeof JSON.parse(l).sig === 'string')).toBe(true);
    const r = await cli(['audit', 'verify', '--public-key', pub]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`4 signed (key ${first.data.keyId})`);
  });

  it('catches a chain rewritten with recomputed hashes: by the signature, and by the trusted key when re-keyed', async () => {
    const { lines, pub } = await signedLog(3);
    // an edit with every hash recomputed so the chain holds, the old signatures kept
    const rechain = (entries: Array<Record<string, unknown>>) => {
      let prev = GENESIS_HASH;
      for (const e of entries) {
        e.prev = prev;
        e.hash = hashEntry(e as never);
        prev = e.hash as string;
      }
      return `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;
    };
    const entries = lines.map((l) => JSON.parse(l));
    entries[2].data.paths = ['nothing-to-see.mp4'];
    await writeFile(file, rechain(entries));
    expect((await verifyAuditLog(file)).fault).toMatchObject({ line: 3, kind: 'signature' });
    // the forger signs with a key of their own and declares it: consistent, but not the key the registry kept
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const forged = lines.map((l) => JSON.parse(l));
    forged[0].data.publicKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    forged[2].data.paths = ['nothing-to-see.mp4'];
    let text = rechain(forged);
    text = text
      .trimEnd()
      .split('\n')
      .map((l) => {
        const e = JSON.parse(l);
        e.sig = sign(null, Buffer.from(e.hash, 'hex'), privateKey).toString('base64');
        return JSON.stringify(e);
      })
      .join('\n');
    await writeFile(file, `${text}\n`);
    expect((await verifyAuditLog(file)).ok).toBe(true); // self-consistent
    const r = await cli(['audit', 'verify', '--public-key', pub, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).fault).toMatchObject({ kind: 'untrusted-key' });
  });

  it('the head published in status catches a log cut short that still verifies on its own', async () => {
    const log = new AuditLog({ file });
    await log.start();
    for (let i = 0; i < 6; i++) await log.append('deletion', { i });
    const published = log.current(); // what `status` carries as "audit": {"head", "seq"}
    expect(published.seq).toBe(6);
    await log.stop();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(lines[5] as string).hash).toBe(published.head);
    await writeFile(file, `${lines.slice(0, 4).join('\n')}\n`);
    expect((await cli(['audit', 'verify'])).code).toBe(0); // internally consistent
    const r = await cli(['audit', 'verify', '--anchor', published.head]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('anchor-missing');
  });
});
