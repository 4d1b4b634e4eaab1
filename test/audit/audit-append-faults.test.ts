import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/audit/audit-log.js';
import { loadOrCreateSigningKey } from '../../src/audit/signing-key.js';
import { verifyAuditLog } from '../../src/audit/verify.js';

let dir: string;
let file: string;
let keyFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-audit-faults-'));
  file = join(dir, 'audit.jsonl');
  keyFile = join(dir, 'audit-signing-key.pem');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** The FileHandle class's prototype, to make its write() short or failing like a filling disk does. */
async function fileHandleProto(): Promise<object> {
  const fh = await open(join(dir, 'probe'), 'w');
  await fh.close();
  return Object.getPrototypeOf(fh) as object;
}

/** A writer with the key file resumes the log, appends one entry and stops; the log is then verified. */
async function resumeAppendVerify(): Promise<Awaited<ReturnType<typeof verifyAuditLog>>> {
  const log = new AuditLog({ file, signingKeyFile: keyFile });
  await log.start();
  await log.append('enforcement', { i: 2 });
  await log.stop();
  return verifyAuditLog(file);
}

describe('AuditLog append on a filling disk', () => {
  it('a short write (the disk filled mid-line) never leaves a torn line inside the chain', async () => {
    const log = new AuditLog({ file, signingKeyFile: keyFile });
    await log.start();
    await log.append('deletion', { paths: ['a.mp4'] });
    const proto = (await fileHandleProto()) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
    const realWrite = proto.write;
    let calls = 0;
    // write(2) on a filling disk: a short count first, then ENOSPC
    vi.spyOn(proto, 'write').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      calls++;
      if (calls === 1) {
        const [buf, off, len, pos] = args as [Buffer, number, number, number | null];
        return realWrite.call(this, buf, off, Math.floor(len / 2), pos);
      }
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    await expect(log.append('deletion', { paths: ['b.mp4'] })).rejects.toThrow(/ENOSPC/);
    vi.restoreAllMocks();
    // space again: the chain goes on from the last entry that is whole on disk
    await log.append('deletion', { paths: ['c.mp4'] });
    await log.stop();
    const r = await verifyAuditLog(file);
    expect(r.fault).toBeUndefined();
    expect(r.ok).toBe(true);
    const kinds = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).data.paths?.[0]);
    expect(kinds).toEqual([undefined, 'a.mp4', 'c.mp4']);
  });
});

describe('AuditLog signing key the chain has not declared', () => {
  async function unsignedLog(): Promise<void> {
    const log = new AuditLog({ file });
    await log.start();
    await log.append('enforcement', { i: 1 });
    await log.stop();
  }

  it('declares a key that exists on disk but that the chain never declared (crash after the key was made)', async () => {
    // a log signed with key A; then key B is created but the writer dies before declaring it
    const first = new AuditLog({ file, signingKeyFile: keyFile });
    await first.start();
    await first.append('enforcement', { i: 1 });
    await first.stop();
    await rm(keyFile);
    await loadOrCreateSigningKey(keyFile); // the crash: key B on disk, no signing-key entry for it
    const r = await resumeAppendVerify();
    expect(r.fault).toBeUndefined();
    expect(r.keyIds).toHaveLength(2);
  });

  it('declares the key when an unsigned chain is resumed by a writer that has one', async () => {
    await unsignedLog();
    await loadOrCreateSigningKey(keyFile);
    const r = await resumeAppendVerify();
    expect(r.fault).toBeUndefined();
    expect(r.keyIds).toHaveLength(1);
  });

  it('does not declare the key again on a plain restart', async () => {
    for (let i = 0; i < 2; i++) {
      const log = new AuditLog({ file, signingKeyFile: keyFile });
      await log.start();
      await log.stop();
    }
    const r = await verifyAuditLog(file);
    expect(r.ok).toBe(true);
    expect(r.keyIds).toHaveLength(1);
  });
});

describe('AuditLog append when the part line cannot be cut off', () => {
  it('chains nothing after it: later appends fail until a restart moves the torn tail aside', async () => {
    const log = new AuditLog({ file, signingKeyFile: keyFile });
    await log.start();
    const proto = (await fileHandleProto()) as {
      write: (...args: unknown[]) => Promise<{ bytesWritten: number }>;
      truncate: (len?: number) => Promise<void>;
    };
    const realWrite = proto.write;
    // part of the line reaches the file, then the device fails
    vi.spyOn(proto, 'write').mockImplementation(async function (this: unknown, ...args: unknown[]) {
      const [buf, off, len, pos] = args as [Buffer, number, number, number | null];
      await realWrite.call(this, buf, off, Math.floor(len / 2), pos);
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    vi.spyOn(proto, 'truncate').mockRejectedValue(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(log.append('deletion', { paths: ['b.mp4'] })).rejects.toThrow(/EIO/);
    vi.restoreAllMocks();
    await expect(log.append('deletion', { paths: ['c.mp4'] })).rejects.toThrow(/torn/);
    await log.stop();
    const again = new AuditLog({ file, signingKeyFile: keyFile });
    const report = await again.start();
    expect(report.tornTail).toBeDefined();
    await again.append('deletion', { paths: ['c.mp4'] });
    await again.stop();
    expect((await verifyAuditLog(file)).fault).toBeUndefined();
  });
});

describe('the signing key', () => {
  it('an unreadable key file stops the start with an error naming it, never a bare errno', async () => {
    await mkdir(keyFile); // a directory where the key should be: read fails with EISDIR
    await expect(loadOrCreateSigningKey(keyFile)).rejects.toThrow(
      expect.objectContaining({ code: 'invalid-config', message: expect.stringContaining(keyFile) }),
    );
  });
});
