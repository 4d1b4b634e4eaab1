import { describe, expect, it } from 'vitest';
import { recordingLayoutSchema } from '../../src/retention/layout-schema.js';

describe('recordingLayoutSchema', () => {
  it('accepts the generic layout', () => {
    const r = recordingLayoutSchema.safeParse({
      schemaVersion: 1,
      id: 'generic',
      segments: ['{camera}', '{YYYY}-{MM}-{DD}', '{hh}-{mm}-{ss}*.{ext}'],
      dateDirDepth: 1,
    });
    expect(r.success).toBe(true);
  });
  it('names unknown fields, missing date fields and a bad dateDirDepth', () => {
    const r = recordingLayoutSchema.safeParse({
      schemaVersion: 1,
      id: 'x',
      segments: ['{cam}', '{YYYY}.mp4'],
      dateDirDepth: 1,
    });
    expect(r.success).toBe(false);
    const msgs = r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';
    expect(msgs).toMatch(/segments\.0: unknown field \{cam\}/);
    expect(msgs).toMatch(/\{camera\} is required/);
    expect(msgs).toMatch(/dateDirDepth: must index a directory segment/);
  });
  it('rejects unknown keys and path separators', () => {
    expect(
      recordingLayoutSchema.safeParse({ schemaVersion: 1, id: 'x', segments: ['{camera}/{YYYY}', 'a'], foo: 1 })
        .success,
    ).toBe(false);
  });
});
