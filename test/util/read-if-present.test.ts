import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIfPresent } from '../../src/util/read-if-present.js';

describe('readIfPresent', () => {
  it("reads a file, is undefined for a missing one, and throws on anything else (never 'empty')", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cw-read-'));
    writeFileSync(join(dir, 'a.json'), '{"x":1}');
    await expect(readIfPresent(join(dir, 'a.json'))).resolves.toBe('{"x":1}');
    await expect(readIfPresent(join(dir, 'missing.json'))).resolves.toBeUndefined();
    await expect(readIfPresent(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
