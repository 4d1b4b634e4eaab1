/** What modules need from the audit trail (audit/ implements it as a hash-chained JSONL log). */
export type AuditKind =
  | 'enforcement'
  | 'decision'
  | 'deletion'
  | 'quarantine'
  | 'profiles'
  | 'request'
  | 'legal-hold'
  | 'consent'
  /** Identity pins, conflicts and moves (docs/identity.md). */
  | 'identity'
  /** An operator's signed release of a sticky block. */
  | 'block-release'
  /** The log's own housekeeping, e.g. a torn tail cut off after a crash. */
  | 'audit';

export interface AuditSink {
  append(kind: AuditKind, data: Record<string, unknown>): Promise<void>;
}

export class MemoryAuditSink implements AuditSink {
  readonly entries: Array<{ kind: AuditKind; data: Record<string, unknown> }> = [];
  async append(kind: AuditKind, data: Record<string, unknown>): Promise<void> {
    this.entries.push({ kind, data });
  }
}
