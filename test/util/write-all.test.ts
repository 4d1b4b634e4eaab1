import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeAll } from '../../src/util/write-all.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-write-all-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('writeAll', () => {
  it('finishes a line the kernel took only part of (a filling disk), (writeAllSync: test/retention/journal-short-write.test.ts)', async () => {
    const file = join(dir, 'log');
    const fh = await open(file, 'a');
    const proto = Object.getPrototypeOf(fh) as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> };
    const real = proto.write;
    // every write takes at most 3 bytes
    vi.spyOn(proto, 'write').mockImplementation(function (
      this: unknown,
      buf: unknown,
      off: unknown,
      len: unknown,
      pos: unknown,
    ) {
      return real.call(this, buf, off, Math.min(3, len as number), pos);
    });
    await writeAll(fh, 'first line 一\n', 'log');
    await fh.close();
    expect(await readFile(file, 'utf8')).toBe('first line 一\n');
  });

  it('throws, naming the file, when a write makes no progress', async () => {
    const fh = await open(join(dir, 'log'), 'a');
    const proto = Object.getPrototypeOf(fh) as { write: () => Promise<{ bytesWritten: number }> };
    vi.spyOn(proto, 'write').mockResolvedValue({ bytesWritten: 0 });
    await expect(writeAll(fh, 'x\n', 'the log')).rejects.toThrow('the log: write took no bytes');
    vi.restoreAllMocks();
    await fh.close();
  });
});
