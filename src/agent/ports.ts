import type { AgentModule } from '../model/agent-module.js';
import type { CameraRecord, ScanResult } from '../model/camera-records.js';
import type { EventSink } from '../model/event-sink.js';
import type { ProfileSet } from '../profiles/types.js';
import type { SweepResult } from '../retention/sweep.js';

/**
 * What the daemon needs from each capability. create-agent.ts adapts the concrete modules to these, so the
 * orchestration (agent.ts) is testable with fakes and knows nothing of their internals.
 */
export interface PolicyPort extends AgentModule {
  /** The active profile set (last-known-good when the newest set was rejected). */
  current(): ProfileSet | undefined;
  revision(): string;
  decide(records: CameraRecord[], now: Date): CameraRecord[];
  /** Re-reads the profiles directory now (remote `reload-profiles`). */
  reload(): Promise<{ revision: string; problems: string[] }>;
}

export interface ReportingPort extends AgentModule {
  readonly events: EventSink;
  /** Publishes inventory and camera records (retained) and the status counters. */
  publishInventory(result: ScanResult): Promise<void>;
  outboxDepth(): number;
  /** The persisted inventory of the previous run: the baseline for camera.added/removed/decision.changed. */
  seedInventory(result: ScanResult): void;
}

/** The fields of one retention pass that `sweep --json` prints (docs/cli.md, `camwarden sweep`). */
export type SweepSummary = Pick<
  SweepResult,
  'dryRun' | 'scanned' | 'deleted' | 'bytesFreed' | 'quarantined' | 'held' | 'unmatched' | 'skipped' | 'errors'
>;

export interface RetentionPort extends AgentModule {
  /** One sweep now (or the one in progress), with the cameras of the last scan and the active profiles. */
  run(opts?: { dryRun?: boolean }): Promise<SweepSummary>;
}

export interface EnforcementPort extends AgentModule {
  reconcile(records: readonly CameraRecord[], profiles: ProfileSet | undefined): Promise<unknown>;
  /** An operator released a camera's block: its footage's quarantine release names them (the register). */
  authorizeRelease?(cameraId: string, by: { reason: string; unit?: string; name?: string; keyId?: string }): void;
  /** The release did not lift the block (the camera re-verified as prohibited): a later quarantine release is not theirs. */
  forgetRelease?(cameraId: string): void;
}
