import type { AuditSink } from '../model/audit-sink.js';
import type { EventData, EventSink } from '../model/event-sink.js';
import { ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { ActionSpec, EnforcementPlan, Skipped } from './types.js';

/** Every action, undo and failure is an event and an audit entry; neither failing stops enforcement. */
export class EnforcementReports {
  private readonly reportedSkips = new Set<string>();

  constructor(
    private readonly events: EventSink,
    private readonly audit: AuditSink,
    private readonly clock: () => Date,
    private readonly logger: Logger | undefined,
  ) {}

  async report<T extends EnforcementEventType>(type: T, data: EventData<T>): Promise<void> {
    const ts = this.clock();
    await this.events.emit(type, data, { ts }).catch((err: unknown) => {
      this.logger?.error({ type, err: errorMessage(err) }, 'enforcement event not recorded');
    });
    await this.audit.append('enforcement', { event: type, ...data }).catch((err: unknown) => {
      this.logger?.error({ type, err: errorMessage(err) }, 'enforcement audit entry not written');
    });
  }

  /** Each block decision that cannot be fully enforced is reported once (until it stops applying). */
  async reportSkips(skipped: Skipped): Promise<void> {
    const current = new Set<string>();
    for (const s of skipped) {
      const id = `${s.cameraId}\n${s.action}\n${s.reason}`;
      current.add(id);
      if (this.reportedSkips.has(id)) continue;
      this.reportedSkips.add(id);
      await this.report('enforcement.failed', {
        op: 'apply',
        action: s.action,
        cameraId: s.cameraId,
        cameras: [s.cameraId],
        code: ErrorCode.EnforcementFailed,
        error: s.reason,
        retry: false,
      });
    }
    for (const id of [...this.reportedSkips]) if (!current.has(id)) this.reportedSkips.delete(id);
  }

  /** Dry-run: what would have been done, as events only (no audit entry: nothing changed). */
  async emitPlanned(plan: EnforcementPlan): Promise<void> {
    for (const action of plan.revert) {
      await this.events.emit('enforcement.planned', { op: 'revert', dryRun: true, ...describe(action.spec) });
    }
    for (const spec of plan.apply) {
      await this.events.emit('enforcement.planned', { op: 'apply', dryRun: true, ...describe(spec) });
    }
  }
}

type EnforcementEventType = 'enforcement.applied' | 'enforcement.reverted' | 'enforcement.failed';

/** The fields every enforcement event carries about its action. */
export function describe(
  spec: ActionSpec,
): Pick<EventData<'enforcement.planned'>, 'key' | 'action' | 'cameras' | 'cameraId' | 'address' | 'channel'> {
  return {
    key: spec.key,
    action: spec.kind,
    cameras: spec.cameras,
    ...(spec.cameraId !== undefined ? { cameraId: spec.cameraId } : {}),
    ...(spec.address !== undefined ? { address: spec.address } : {}),
    ...(spec.channel !== undefined ? { channel: spec.channel } : {}),
  };
}
