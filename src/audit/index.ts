export type { AuditKind, AuditSink } from '../model/audit-sink.js';
export { MemoryAuditSink } from '../model/audit-sink.js';
export { type AuditEntry, GENESIS_HASH, hashEntry } from './audit-entry.js';
export { AUDIT_FILE_NAME, AuditLog, type AuditLogOptions, type AuditResumeReport, auditFilePath } from './audit-log.js';
export { type AuditFault, type AuditVerifyResult, verifyAuditLog } from './verify.js';
