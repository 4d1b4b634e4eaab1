/** Resolves a layout id: built-ins first, else `<profilesDir>/layouts/<id>.yaml` validated with recordingLayoutSchema. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { RecordingLayout } from '../retention/layout-schema.js';
import { recordingLayoutSchema } from '../retention/layout-schema.js';
import { BUILTIN_LAYOUTS } from '../retention/layouts.js';
import { ErrorCode, UsageError } from '../util/errors.js';
import { PARSED_ONCE } from '../util/parsed-once.js';

export async function resolveLayout(
  id: string,
  profilesDir: string | undefined,
  fromProfiles: Record<string, RecordingLayout> = {},
): Promise<RecordingLayout> {
  const known = fromProfiles[id] ?? BUILTIN_LAYOUTS[id];
  if (known) return known;
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(id) || !profilesDir) {
    throw new UsageError(`retention.layout: unknown layout ${JSON.stringify(id)}`, ErrorCode.InvalidConfig);
  }
  const file = join(profilesDir, 'layouts', `${id}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `retention.layout: unknown layout ${JSON.stringify(id)} (no ${file})`,
      ErrorCode.InvalidConfig,
    );
  }
  const parsed = recordingLayoutSchema.safeParse(parse(text), PARSED_ONCE);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new UsageError(msg, ErrorCode.InvalidProfile);
  }
  const { schemaVersion: _v, ...layout } = parsed.data;
  return layout.dateDirDepth === undefined
    ? { id: layout.id, description: layout.description, segments: layout.segments }
    : { id: layout.id, description: layout.description, segments: layout.segments, dateDirDepth: layout.dateDirDepth };
}
