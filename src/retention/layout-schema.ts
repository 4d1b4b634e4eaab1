/**
 * zod schema of one recording layout file (device-profiles/layouts/*.yaml). profiles/ loads the files with it;
 * retention/ compiles the validated segments into matchers (layouts.ts).
 */
import { z } from 'zod';
import { FIELD_RE, LAYOUT_FIELDS, segmentFields } from './layouts.js';

const segmentPattern = z
  .string()
  .min(1)
  .refine((s) => !s.includes('/') && !s.includes('\\'), 'a segment is one path component: no "/" or "\\"')
  .refine((s) => s !== '.' && s !== '..', 'a segment cannot be "." or ".."')
  .refine((s) => !/[{}]/.test(s.replace(FIELD_RE, '')), 'unbalanced "{" or "}"')
  .superRefine((s, ctx) => {
    for (const f of segmentFields(s)) {
      if (!(LAYOUT_FIELDS as readonly string[]).includes(f)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown field {${f}}; known: ${LAYOUT_FIELDS.map((x) => `{${x}}`).join(' ')}`,
        });
      }
    }
    if (/\}\{/.test(s)) ctx.addIssue({ code: 'custom', message: 'two fields must be separated by a literal' });
  });

export const recordingLayoutSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    id: z
      .string()
      .min(1)
      .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, "_", "." and "-" only'),
    description: z.string().default(''),
    /** Path components below the root, the last one names the file. */
    segments: z.array(segmentPattern).min(2).max(12),
    /** Index of a directory segment whose value alone dates the whole directory (YYYY, MM and DD). */
    dateDirDepth: z.number().int().min(0).optional(),
  })
  .superRefine((layout, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const counts = new Map<string, number>();
    for (const seg of layout.segments) for (const f of segmentFields(seg)) counts.set(f, (counts.get(f) ?? 0) + 1);
    for (const [f, n] of counts) if (n > 1) issue('segments', `field {${f}} appears ${n} times`);
    for (const f of ['camera', 'YYYY', 'MM', 'DD'] as const) {
      if (!counts.has(f)) issue('segments', `field {${f}} is required (age comes from the path)`);
    }
    const depth = layout.dateDirDepth;
    if (depth === undefined) return;
    const last = layout.segments.length - 1;
    const fields = segmentFields(layout.segments[depth] ?? '');
    // A date dir must hold the complete date (no field appears twice, so none of it can be in a deeper segment).
    if (depth >= last) issue('dateDirDepth', 'must index a directory segment (not the file)');
    else if (!(fields.includes('YYYY') && fields.includes('MM') && fields.includes('DD'))) {
      issue('dateDirDepth', 'that segment must contain {YYYY}, {MM} and {DD}');
    }
  });

/** A recording directory layout: the built-ins (layouts.ts) and device-profiles/layouts/*.yaml. */
export type RecordingLayout = Omit<z.infer<typeof recordingLayoutSchema>, 'schemaVersion'>;
