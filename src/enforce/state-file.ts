import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { compareText } from '../util/compare.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { readIfPresent } from '../util/read-if-present.js';
import type { AppliedAction } from './types.js';

const STATE_FILE_NAME = 'enforcement-state.json';

export function enforcementStatePath(dataDir: string): string {
  return join(dataDir, STATE_FILE_NAME);
}

export interface EnforcementStateDoc {
  version: 1;
  actions: Record<string, AppliedAction>;
}

/** Reads the applied actions; a missing file is an empty state, a corrupt one is an error (never guessed). */
export async function loadEnforcementState(file: string): Promise<Map<string, AppliedAction>> {
  const raw = await readIfPresent(file);
  if (raw === undefined) return new Map();
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new CamwardenError(ErrorCode.Internal, `${file}: not valid JSON`);
  }
  const actions = (doc as Partial<EnforcementStateDoc>)?.actions;
  if ((doc as Partial<EnforcementStateDoc>)?.version !== 1 || actions === null || typeof actions !== 'object') {
    throw new CamwardenError(ErrorCode.Internal, `${file}: not an enforcement state (version 1)`);
  }
  const out = new Map<string, AppliedAction>();
  for (const [key, a] of Object.entries(actions)) {
    if (a && typeof a === 'object' && a.spec && typeof a.spec.kind === 'string' && a.spec.key === key) out.set(key, a);
  }
  return out;
}

export async function saveEnforcementState(file: string, actions: ReadonlyMap<string, AppliedAction>): Promise<void> {
  const doc: EnforcementStateDoc = {
    version: 1,
    actions: Object.fromEntries([...actions].sort(([a], [b]) => compareText(a, b))),
  };
  await writeFileAtomic(file, `${JSON.stringify(doc, null, 2)}\n`, 0o600);
}
