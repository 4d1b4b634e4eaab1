/**
 * What a device can never do to a decision by itself (docs/identity.md):
 * - leave `block` without proving who it is: a camera that was `block` stays `block` until an authenticated
 *   interrogation decides otherwise or a signed operator request releases it;
 * - get `allow` while claiming another camera's identity.
 * Applied after the policy decided, on every path that decides (scan, re-decision after a profile change).
 */
import type { CameraRecord, Reason } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';
import { unverifiedReason } from './evaluate.js';

export interface HoldOptions {
  /** The records of the last decision: whatever was `block` there is held. */
  previous: readonly CameraRecord[] | undefined;
  /**
   * Ids blocked with no previous record to hold: the enforcement state still keeps their actions in force but the
   * inventory that decided them was lost. Held like a previous block, on this scan's record.
   */
  blockedWithoutRecord?: ReadonlySet<string>;
  /** Ids an operator released by a signed request: their next decision applies (at most `flag` if unverified). */
  released?: ReadonlySet<string>;
  /** The active policy pack id, for the reasons added here. */
  rule: string;
}

const UNVERIFIED = 'unverified-device';

function heldReason(rule: string): Reason {
  return {
    ...unverifiedReason(rule),
    message:
      'blocked before and not re-verified by this scan (no answer, refused authentication, unreadable answers or ' +
      'no time left): the block stays until an authenticated interrogation or a signed block/release lifts it',
  };
}

function withReason(reasons: readonly Reason[], reason: Reason): Reason[] {
  return reasons.some((r) => r.code === reason.code) ? [...reasons] : [reason, ...reasons];
}

/**
 * Re-verified: this scan proved the camera's identity over an authenticated session and read where it is. An
 * authenticated answer whose location could not be read (a fault, garbage or no time left for GetScopes, scopes
 * dropped over the bounds) decides on a location nobody saw: it cannot lift a block.
 */
function reverified(r: CameraRecord): boolean {
  return r.authenticated === true && r.locationUnread !== true;
}

/** The previous record with its block, this scan's errors and why it is held. */
function held(prev: CameraRecord, now: CameraRecord, rule: string): CameraRecord {
  const out: CameraRecord = {
    ...prev,
    errors: now.errors,
    decision: {
      action: 'block',
      reasons: withReason(
        prev.decision.reasons.filter((r) => r.code !== UNVERIFIED),
        heldReason(rule),
      ),
    },
    unverified: true,
  };
  // A camera that proved its identity is where it answered from (a pinned camera that moved): its isolation follows.
  if (now.authenticated) {
    out.address = now.address;
    out.xaddr = now.xaddr;
    if (now.ipv6) out.ipv6 = now.ipv6;
    else delete out.ipv6;
  }
  delete out.authenticated;
  delete out.locationUnread;
  delete out.missedScans;
  if (now.missedScans !== undefined) out.missedScans = now.missedScans;
  return out;
}

/** The block of a camera whose record was lost, as if its record of this scan had been the previous one. */
function lostBlock(now: CameraRecord): CameraRecord {
  return { ...now, decision: { action: 'block', reasons: [] } };
}

export function holdDecisions(records: readonly CameraRecord[], opts: HoldOptions): CameraRecord[] {
  const previous = new Map((opts.previous ?? []).map((r) => [r.id, r]));
  return records.map((r) => {
    let out = r;
    const conflict = r.errors.find((e) => e.code === ErrorCode.IdentityConflict);
    if (conflict && out.decision.action === 'allow') {
      out = {
        ...out,
        decision: {
          action: 'flag',
          reasons: withReason(out.decision.reasons, { ...unverifiedReason(opts.rule), message: conflict.message }),
        },
      };
    }
    const prev = previous.get(r.id) ?? (opts.blockedWithoutRecord?.has(r.id) ? lostBlock(r) : undefined);
    if (prev?.decision.action !== 'block') return out;
    if (opts.released?.has(r.id)) {
      if (reverified(r)) return out;
      return {
        ...out,
        decision: { action: 'flag', reasons: withReason(out.decision.reasons, unverifiedReason(opts.rule)) },
      };
    }
    return reverified(r) ? out : held(prev, r, opts.rule);
  });
}
