import { compareText } from '../util/compare.js';
import type { ActionSpec, AppliedAction, DesiredState, EnforcementPlan } from './types.js';

/** Undo order: footage and recording first back on, network last, mirroring how blocking isolates first. */
const KIND_ORDER: Record<ActionSpec['kind'], number> = {
  isolate: 0,
  'rtsp-off': 1,
  'privacy-mask': 2,
  'recording-job-idle': 3,
  'recorder-hook': 4,
  quarantine: 5,
};

/**
 * Pure: what to apply and what to revert so the applied state matches the desired one. An applied action is
 * reverted when none of its cameras is still blocked but at least one of them is present in the records; an
 * action whose cameras are all absent (not seen by this scan) stays in force — absence is not consent. An
 * address in the live set that nothing in the state claims (cameras = []) is stale and reverted.
 */
export function planEnforcement(desired: DesiredState, applied: ReadonlyMap<string, AppliedAction>): EnforcementPlan {
  const wanted = new Map(desired.actions.map((a) => [a.key, a]));
  const present = new Set(desired.cameras);
  const apply: ActionSpec[] = [];
  const keep: string[] = [];
  for (const [key, spec] of wanted) {
    const current = applied.get(key);
    if (current && !current.pending) keep.push(key);
    else apply.push(spec);
  }
  const revert: AppliedAction[] = [];
  const retained: AppliedAction[] = [];
  for (const [key, action] of applied) {
    if (wanted.has(key)) continue;
    const owners = action.spec.cameras;
    if (owners.length === 0 || owners.some((c) => present.has(c))) revert.push(action);
    else retained.push(action);
  }
  apply.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareText(a.key, b.key));
  revert.sort((a, b) => KIND_ORDER[b.spec.kind] - KIND_ORDER[a.spec.kind] || compareText(a.spec.key, b.spec.key));
  return { apply, revert, keep: keep.sort(), retained };
}
