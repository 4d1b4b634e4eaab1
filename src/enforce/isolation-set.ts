import type { CameraRecord } from '../model/camera-records.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { ipv6AddressesOf, type LinkView, type LinkViewSource, MAX_IPV6_PER_CAMERA } from './link-view.js';
import type { NftablesBackend } from './nftables-backend.js';
import type { AppliedAction, EnforcementPlan, Skipped } from './types.js';

/**
 * The live nftables isolation set and the applied state's view of it kept equal, and the addresses that go into
 * it: the truth for isolation is the kernel's set, read back on every pass (docs/enforcement.md).
 */
export class IsolationSet {
  private tableWritten = false;

  constructor(
    private readonly nft: NftablesBackend,
    private readonly linkView: LinkViewSource,
    private readonly clock: () => Date,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Which IPv6 addresses go with each blocked camera: what the neighbour table and the device show now
   * (link-view.ts), plus those already isolated for it, so an address the table forgot while the camera is still
   * blocked is not released (at most MAX_IPV6_PER_CAMERA). The table is read only when something is blocked; if it
   * cannot be read, the addresses already isolated stay and each blocked camera gets a skip saying so.
   */
  async ipv6Addresses(
    records: readonly CameraRecord[],
    known: ReadonlyMap<string, AppliedAction>,
    enabled: boolean,
  ): Promise<{ of: (r: CameraRecord) => string[]; skipped: Skipped }> {
    const blocked = records.filter((r) => r.decision.action === 'block' && r.parent === undefined);
    if (!enabled || blocked.length === 0) return { of: () => [], skipped: [] };
    const isolated = new Map<string, string[]>();
    for (const a of known.values()) {
      if (a.spec.kind !== 'isolate' || !a.spec.address?.includes(':')) continue;
      for (const id of a.spec.cameras) isolated.set(id, [...(isolated.get(id) ?? []), a.spec.address]);
    }
    let view: LinkView | undefined;
    const skipped: Skipped = [];
    try {
      view = await this.linkView();
    } catch (err) {
      this.logger?.warn({ err: errorMessage(err) }, 'IPv6 addresses of blocked cameras cannot be learnt');
      for (const r of blocked) {
        skipped.push({ cameraId: r.id, action: 'isolate', reason: `IPv6 addresses not learnt: ${errorMessage(err)}` });
      }
    }
    const of = (r: CameraRecord): string[] => {
      const now = view ? ipv6AddressesOf(r.address, r.ipv6 ?? [], view) : [];
      return [...new Set([...now, ...(isolated.get(r.id) ?? [])])].slice(0, MAX_IPV6_PER_CAMERA);
    };
    return { of, skipped };
  }

  /**
   * Makes the isolate entries of `state` equal the live set: an address the state lists but the kernel lacks
   * went missing (re-applied by the plan), an address in the set that the state does not know is stale (owner
   * unknown: reverted). The table itself is rewritten (keeping the live elements) once per process and whenever
   * its chains are found altered, so its rules are exactly ours: never missing, never duplicated.
   * Returns whether `state` changed, and the error that makes isolation impossible now, if any.
   */
  async sync(state: Map<string, AppliedAction>): Promise<{ changed: boolean; error?: Error }> {
    let live: string[];
    try {
      const table = await this.nft.readTable();
      if (table === undefined || !table.intact || !this.tableWritten) {
        if (table && !table.intact) this.logger?.warn('camwarden nftables table was altered: rewriting it');
        await this.nft.writeTable(table?.elements ?? []);
        this.tableWritten = true;
      }
      live = table?.elements ?? [];
    } catch (err) {
      this.tableWritten = false;
      return {
        changed: false,
        error: err instanceof Error ? err : new CamwardenError(ErrorCode.EnforcementFailed, String(err)),
      };
    }
    const liveSet = new Set(live);
    let changed = false;
    for (const [key, action] of state) {
      if (action.spec.kind === 'isolate' && action.spec.address && !liveSet.has(action.spec.address)) {
        this.logger?.warn({ address: action.spec.address }, 'isolation rule went missing from the live set');
        state.delete(key);
        changed = true;
      }
    }
    for (const address of live) {
      const key = `isolate:${address}`;
      if (!state.has(key)) {
        state.set(key, { spec: { key, kind: 'isolate', cameras: [], address }, appliedAt: this.clock().toISOString() });
        changed = true;
      }
    }
    return { changed };
  }

  /**
   * Many address changes (first start on a big site) go to nft as one transaction instead of one process each.
   * Returns the keys it handled; on failure it handles none, and each action then runs and fails on its own,
   * so every failure is still reported per camera. `due` says whether an action's backoff has expired.
   */
  async changeInOneTransaction(
    plan: EnforcementPlan,
    due: (key: string, op: 'apply' | 'revert') => boolean,
  ): Promise<Set<string>> {
    const removes = plan.revert.filter((a) => a.spec.kind === 'isolate' && a.spec.address && due(a.spec.key, 'revert'));
    const adds = plan.apply.filter((a) => a.kind === 'isolate' && a.address && due(a.key, 'apply'));
    if (removes.length + adds.length < 2) return new Set();
    try {
      await this.nft.change(
        adds.map((a) => a.address as string),
        removes.map((a) => a.spec.address as string),
      );
    } catch (err) {
      this.logger?.warn({ err: errorMessage(err) }, 'batched isolation failed; retrying address by address');
      return new Set();
    }
    return new Set([...adds.map((a) => a.key), ...removes.map((a) => a.spec.key)]);
  }
}
