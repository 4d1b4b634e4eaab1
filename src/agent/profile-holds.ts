/**
 * Legal holds of the device profiles are in force as soon as the set carrying them is (docs/retention.md, Legal
 * holds): a profile change that adds or widens a hold goes through `changeHolds`, as a `legal-hold/add` does.
 */
import type { ProfileSet } from '../profiles/types.js';
import type { LegalHold } from '../retention/rules.js';
import { changeHolds } from '../retention/sweep.js';

/** The store's side of it: the live set and its change notification (ProfileStore). */
export interface LiveProfiles {
  current(): ProfileSet | undefined;
  onChange(listener: () => void): unknown;
}

/**
 * Follows the live profile set. A set with a hold the previous one lacked stops the deleting sweep at its next file
 * (synchronously, as the set is swapped in) and those queued behind it; the next sweep reads the new holds when its
 * turn comes. The returned function resolves once the latest such change is in force: the requests that change the
 * profiles answer after it.
 */
export function followProfileHolds(source: LiveProfiles): () => Promise<void> {
  let known = coverage(source.current());
  let inForce: Promise<unknown> = Promise.resolve();
  source.onChange(() => {
    const next = coverage(source.current());
    const added = [...next].some((k) => !known.has(k));
    known = next;
    // the set is already swapped in: nothing to write, only the sweeps that read the old holds to stop
    if (added) inForce = changeHolds(async () => undefined);
  });
  return async () => {
    await inForce;
  };
}

/**
 * What each hold covers; a hold whose camera or dates changed counts as new (a narrowed one too: stopping a sweep
 * for it costs a pass, never footage).
 */
function coverage(set: ProfileSet | undefined): Set<string> {
  return new Set((set?.retention.legalHolds ?? []).map((h: LegalHold) => JSON.stringify([h.camera, h.from, h.to])));
}
