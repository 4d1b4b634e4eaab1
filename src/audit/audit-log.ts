import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditKind, AuditSink } from '../model/audit-sink.js';
import type { EventSink } from '../model/event-sink.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { SerialQueue } from '../util/serial-queue.js';
import { writeAll } from '../util/write-all.js';
import { type AuditEntry, entryShapeProblem, GENESIS_HASH, hashEntry, sealEntry } from './audit-entry.js';
import { toPlainJson } from './canonical-json.js';
import { readTail } from './read-tail.js';
import { hashSignatureValid, loadOrCreateSigningKey, type SigningKey, signHash } from './signing-key.js';

const AUDIT_FILE_NAME = 'audit.jsonl';

export function auditFilePath(dataDir: string): string {
  return join(dataDir, AUDIT_FILE_NAME);
}

export interface AuditLogOptions {
  file: string;
  /** Each appended entry is also emitted as an `audit.appended` event (critical: never dropped, see model/event-types.ts). */
  events?: EventSink;
  logger?: Logger;
  clock?: () => Date;
  /** Sign every entry with this Ed25519 key (created 0600 if missing, then declared in the chain). */
  signingKeyFile?: string;
  /** Who opens the log (`agent`, `sweep`): recorded in the restart marker. */
  writer?: string;
}

/** What start() found at the end of the log. */
export interface AuditResumeReport {
  seq: number;
  head: string;
  /** A torn last write was cut off and kept aside in `savedTo`; an `audit` entry records it. */
  tornTail?: { offset: number; bytes: number; sha256: string; savedTo: string };
  /** The last line does not hash to its own `hash` (edited): chaining continues, verify will name it. */
  lastLineInvalid?: string;
  /** The key this writer signs with. */
  keyId?: string;
}

/**
 * The hash-chained JSONL audit log (docs/audit.md): one `{seq, ts, kind, data, prev, hash, sig}` per line,
 * appended one at a time (a queue), each fsync'd before append() resolves. start() resumes the chain from the last
 * line and, when there was one, appends a restart marker carrying the head it resumed from.
 */
export class AuditLog implements AuditSink {
  private fh: FileHandle | undefined;
  private seq = 0;
  private head = GENESIS_HASH;
  private size = 0;
  private readonly queue = new SerialQueue();
  private readonly clock: () => Date;
  private signing: SigningKey | undefined;
  /** A failed append's part line could not be cut off: nothing more is chained after it until start() again. */
  private torn: string | undefined;

  constructor(private readonly opts: AuditLogOptions) {
    this.clock = opts.clock ?? (() => new Date());
  }

  get file(): string {
    return this.opts.file;
  }

  async start(): Promise<AuditResumeReport> {
    if (this.fh) return { seq: this.seq, head: this.head };
    const file = this.opts.file;
    await mkdir(dirname(file), { recursive: true });
    const fh = await open(file, 'a+', 0o600);
    await fh.sync();
    await syncDir(dirname(file));
    this.torn = undefined;
    const report: AuditResumeReport = { seq: 0, head: GENESIS_HASH };
    let tail = await readTail(file);
    let torn: { offset: number; bytes: Buffer } | undefined = tail.fragment;
    if (tail.lastLine && !torn && parseEntry(tail.lastLine.text) === undefined) {
      // A terminated line that is not even JSON is the remains of a crashed write, not a valid entry.
      torn = { offset: tail.lastLine.offset, bytes: Buffer.from(`${tail.lastLine.text}\n`) };
    }
    if (torn) {
      const sha256 = createHash('sha256').update(torn.bytes).digest('hex');
      const savedTo = `${file}.torn-${torn.offset}-${sha256.slice(0, 12)}`;
      await writeFile(savedTo, torn.bytes, { flush: true });
      await fh.truncate(torn.offset);
      await fh.sync();
      report.tornTail = { offset: torn.offset, bytes: torn.bytes.length, sha256, savedTo: basename(savedTo) };
      this.opts.logger?.error({ audit: report.tornTail }, 'audit log ended in a torn write: cut off and kept aside');
      tail = await readTail(file);
    }
    this.size = tail.size - (tail.fragment?.bytes.length ?? 0);
    let last: AuditEntry | undefined;
    if (tail.lastLine) {
      last = parseEntry(tail.lastLine.text);
      if (!last) throw new CamwardenError(ErrorCode.Internal, `${file}: last line is not an audit entry`);
      this.seq = last.seq;
      this.head = last.hash;
      if (hashEntry(last) !== last.hash) {
        report.lastLineInvalid = `line with seq ${last.seq} does not match its hash`;
        this.opts.logger?.error({ seq: last.seq }, 'audit log: last entry fails its own hash (edited?)');
      }
    }
    this.fh = fh;
    report.seq = this.seq;
    report.head = this.head;
    if (this.opts.signingKeyFile) {
      this.signing = await loadOrCreateSigningKey(this.opts.signingKeyFile);
      report.keyId = this.signing.keyId;
      // Declared unless the last entry is signed with this key: a key made by a writer that died before declaring
      // it, or one swapped in, would otherwise sign entries no verifier can check (docs/audit.md, "The chain key").
      const declared = last?.sig !== undefined && hashSignatureValid(this.signing.key, last.hash, last.sig);
      if (this.signing.created || !declared) {
        await this.append('audit', {
          event: 'signing-key',
          keyId: this.signing.keyId,
          publicKey: this.signing.publicPem,
        });
      }
    }
    if (report.tornTail) await this.append('audit', { event: 'torn-tail-removed', ...report.tornTail });
    if (report.seq > 0) {
      // A restart is evident in the chain itself: which head this writer resumed from, and who it is.
      await this.append('audit', {
        event: 'restart',
        previousHead: report.head,
        previousSeq: report.seq,
        writer: this.opts.writer ?? 'unknown',
        pid: process.pid,
      });
    }
    return { ...report, seq: this.seq, head: this.head };
  }

  /** Appends one entry; resolves once it is on disk. Appends are serialised in call order. */
  append(kind: AuditKind, data: Record<string, unknown>): Promise<void> {
    return this.appendEntry(kind, data).then(() => undefined);
  }

  appendEntry(kind: AuditKind, data: Record<string, unknown>): Promise<AuditEntry> {
    return this.queue.run(() => this.write(kind, data));
  }

  current(): { seq: number; head: string } {
    return { seq: this.seq, head: this.head };
  }

  async stop(): Promise<void> {
    await this.queue.idle();
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private async write(kind: AuditKind, data: Record<string, unknown>): Promise<AuditEntry> {
    const fh = this.fh;
    if (!fh) throw new CamwardenError(ErrorCode.Internal, 'audit log: append before start()');
    if (this.torn) {
      throw new CamwardenError(ErrorCode.Internal, `audit log ${this.opts.file}: ends in a torn write (${this.torn})`);
    }
    const ts = this.clock();
    const sealed = sealEntry({
      seq: this.seq + 1,
      ts: ts.toISOString(),
      kind,
      data: toPlainJson(data),
      prev: this.head,
    });
    const entry: AuditEntry = this.signing ? { ...sealed, sig: signHash(this.signing.key, sealed.hash) } : sealed;
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    try {
      // the whole line, or fail and cut the part off below (util/write-all.ts)
      await writeAll(fh, line, this.opts.file);
      await fh.sync();
    } catch (err) {
      // Undo a partial line so the next append does not chain after a torn write.
      await fh.truncate(this.size).catch((cut: unknown) => {
        this.torn = errorMessage(cut);
      });
      throw new CamwardenError(ErrorCode.Internal, `audit log ${this.opts.file}: ${errorMessage(err)}`, undefined, {
        cause: err,
      });
    }
    this.size += line.length;
    this.seq = entry.seq;
    this.head = entry.hash;
    if (this.opts.events) {
      await this.opts.events.emit('audit.appended', { ...entry }, { ts }).catch((err: unknown) => {
        this.opts.logger?.warn({ seq: entry.seq, err: errorMessage(err) }, 'audit entry not forwarded as event');
      });
    }
    return entry;
  }
}

function parseEntry(text: string): AuditEntry | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return entryShapeProblem(value) === undefined ? (value as AuditEntry) : undefined;
  } catch {
    return undefined;
  }
}

async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r').catch(() => undefined);
  if (!dh) return;
  await dh.sync().catch(() => undefined);
  await dh.close();
}
