import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomic-file.js';

describe('writeFileAtomic', () => {
  const dirs: string[] = [];
  const work = () => {
    const d = mkdtempSync(join(tmpdir(), 'cw-atomic-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('replaces the file whole, with the mode asked for, creating its directory, leaving no temp file', async () => {
    const dir = work();
    const file = join(dir, 'sub', 'state.json');
    await writeFileAtomic(file, 'first\n', 0o600);
    await writeFileAtomic(file, 'second\n', 0o600);
    expect(readFileSync(file, 'utf8')).toBe('second\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['state.json']);
  });

  it('concurrent writers in one process never mix their contents', async () => {
    const file = join(work(), 'records.json');
    const texts = Array.from({ length: 20 }, (_, i) => `${String(i).repeat(64 * 1024)}\n`);
    await Promise.all(texts.map((t) => writeFileAtomic(file, t)));
    expect(texts).toContain(readFileSync(file, 'utf8'));
  });

  it('a write that fails keeps the old content and removes its temp file', async () => {
    const dir = work();
    const file = join(dir, 'holds.json');
    writeFileSync(file, 'old\n');
    // a non-string makes the handle's write reject half-way through
    await expect(writeFileAtomic(file, Symbol('x') as unknown as string)).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['holds.json']);
  });
});
