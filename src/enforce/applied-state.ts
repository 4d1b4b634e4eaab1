import { loadEnforcementState, saveEnforcementState } from './state-file.js';
import type { ActionSpec, AppliedAction } from './types.js';

/** Non-lever changes are cheap to redo after a crash: their saves are coalesced to one per this interval. */
const COALESCE_MS = 250;

/**
 * The actions in effect, as kept in the state file: loaded once, saved at once for lever priors (what a device
 * must be restored to) and coalesced otherwise (flushed at the end of each pass).
 */
export class AppliedState {
  private actions: Map<string, AppliedAction> | undefined;
  private dirty = false;
  private lastSave = 0;

  constructor(
    private readonly file: string,
    private readonly clock: () => Date,
  ) {}

  /** The state as loaded and kept in memory (read from the file on first use). */
  async load(): Promise<Map<string, AppliedAction>> {
    this.actions ??= await loadEnforcementState(this.file);
    return this.actions;
  }

  /** Dry-run and off: the file as it is, without keeping it. */
  readFile(): Promise<Map<string, AppliedAction>> {
    return loadEnforcementState(this.file);
  }

  /** The in-memory state, or an empty one before the first load. */
  private current(): Map<string, AppliedAction> {
    this.actions ??= new Map();
    return this.actions;
  }

  size(): number {
    return this.actions?.size ?? 0;
  }

  list(): AppliedAction[] {
    return [...(this.actions?.values() ?? [])];
  }

  /** A lever's prior saved by an attempt that may not have completed (crash, lost answer). */
  pendingPrior(key: string): Record<string, unknown> | undefined {
    const action = this.actions?.get(key);
    return action?.pending ? action.prior : undefined;
  }

  /** Saves a lever's prior before the device is changed, marked pending until the change is confirmed. */
  async savePending(spec: ActionSpec, prior: Record<string, unknown>): Promise<void> {
    this.current().set(spec.key, { spec, appliedAt: this.clock().toISOString(), prior, pending: true });
    await this.save();
  }

  /** Records a completed apply (`prior` set) or revert (`prior` null); `saveNow` for lever priors. */
  async record(
    spec: ActionSpec,
    change: { applied: true; prior: Record<string, unknown> | undefined } | { applied: false },
    saveNow: boolean,
  ): Promise<void> {
    const state = this.current();
    if (change.applied) {
      state.set(spec.key, {
        spec,
        appliedAt: this.clock().toISOString(),
        ...(change.prior ? { prior: change.prior } : {}),
      });
    } else {
      state.delete(spec.key);
    }
    if (saveNow || this.clock().getTime() - this.lastSave > COALESCE_MS) await this.save();
    else this.dirty = true;
  }

  /** Several cameras may come to need one action (a shared address): keep the owner list current. */
  async refreshOwners(actions: readonly ActionSpec[]): Promise<void> {
    let changed = false;
    for (const spec of actions) {
      const applied = this.actions?.get(spec.key);
      if (applied && applied.spec.cameras.join('\n') !== spec.cameras.join('\n')) {
        applied.spec = { ...applied.spec, cameras: [...spec.cameras] };
        changed = true;
      }
    }
    if (changed) await this.save();
  }

  async flush(): Promise<void> {
    if (this.dirty) await this.save();
  }

  async save(): Promise<void> {
    await saveEnforcementState(this.file, this.current());
    this.dirty = false;
    this.lastSave = this.clock().getTime();
  }
}
