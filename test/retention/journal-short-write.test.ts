import * as fs from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// node:fs as the journal sees it, with writeSync replaceable (an ESM namespace cannot be spied on directly)
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeSync: vi.fn(real.writeSync) };
});

const { RetentionJournal, recoverJournal } = await import('../../src/retention/journal.js');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cw-journal-'));
});
afterEach(async () => {
  vi.mocked(fs.writeSync).mockReset();
  await rm(dir, { recursive: true, force: true });
});

describe('retention journal on a filling disk', () => {
  it('a short write of an intent line is completed: the deletion it announces is recovered for the audit log', async () => {
    const journal = join(dir, 'retention-journal.jsonl');
    const victim = join(dir, 'cam-1.mp4');
    await writeFile(victim, 'x');
    const st = await stat(victim);
    const real = (await vi.importActual<typeof import('node:fs')>('node:fs')).writeSync;
    // write(2) takes only part of the line first, as a filling disk does; the rest goes on the next call
    vi.mocked(fs.writeSync).mockImplementationOnce(((fd: number, s: string) =>
      real(fd, Buffer.from(s).subarray(0, 10))) as typeof fs.writeSync);
    vi.mocked(fs.writeSync).mockImplementation(real as typeof fs.writeSync);
    const j = new RetentionJournal(journal, 'run-1');
    j.intents([{ op: 'delete', path: victim, dev: st.dev, ino: st.ino, size: st.size, freed: st.size }]);
    j.close();
    await rm(victim); // the batch was acted on, then the run crashed before its audit entry
    expect(recoverJournal(journal).paths).toEqual([victim]);
  });
});
