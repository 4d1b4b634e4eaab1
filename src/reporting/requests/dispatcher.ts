import type { KeyObject } from 'node:crypto';
import type { AuditSink } from '../../model/audit-sink.js';
import type { EventData, EventSink } from '../../model/event-sink.js';
import { CamwardenError, ErrorCode, errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import type { ReplayStore } from './replay-store.js';
import { envelopeSchema, opSchemas, type RequestContext, type RequestHandlers, type RequestOp } from './schemas.js';
import { verifySignature } from './signing.js';

export interface RequestResponse {
  transaction: string | null;
  status: 'ok' | 'error';
  data?: unknown;
  error?: { code: string; message: string };
}

export interface DispatcherOptions {
  /**
   * Trusted keys by keyId; undefined or empty = every request refused. A function is asked at every request (the
   * key file as it is now); when it throws, every request is refused.
   */
  keys: Map<string, KeyObject> | undefined | (() => Promise<Map<string, KeyObject> | undefined>);
  handlers: RequestHandlers;
  replayStore: ReplayStore;
  events: EventSink;
  audit: AuditSink;
  logger: Logger;
  now: () => Date;
  /** Accepted clock skew for `issuedAt` in the future. */
  maxSkewMs?: number;
  /** Longest allowed `expiresAt - issuedAt`. */
  maxLifetimeMs?: number;
}

/**
 * The largest request payload parsed at all: room for the biggest `profiles/apply` bundle (8 MiB of text) even if
 * JSON escaping doubled it. Anything larger is refused unread, so a broker peer cannot make the agent parse (and
 * hold) an arbitrarily large document (docs/mqtt.md).
 */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * Refusals recorded one by one (event and audit entry) per minute. Anyone who can publish on a request topic can
 * send junk: past this, refusals are still answered and logged, and counted; the count rides on the next one recorded
 * (`suppressed`), so a flood costs bounded disk (outbox and audit log) and is never lost from the record.
 */
export const REFUSALS_RECORDED_PER_MINUTE = 60;
/** An op as recorded: the topic level can be as long as the broker allows. */
const MAX_RECORDED_OP = 128;

/** A request refused with its response code (unauthorized, expired, replayed, …). */
class Refusal extends CamwardenError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'Refusal';
  }
}

/**
 * Validates and runs one remote request: allow-listed op, Ed25519 signature over topic + JCS, expiry,
 * replay, args schema, then the injected handler. Never throws: every outcome is a response.
 */
export class RequestDispatcher {
  /** The current minute of refusals: when it began, how many were recorded, how many only counted. */
  private refusals = { since: Number.NEGATIVE_INFINITY, recorded: 0, suppressed: 0 };

  constructor(private readonly opts: DispatcherOptions) {}

  async handle(topic: string, op: string, payload: Buffer, retained: boolean): Promise<RequestResponse> {
    let transaction: string | null = null;
    try {
      if (payload.length > MAX_REQUEST_BYTES) {
        throw new Refusal(ErrorCode.InvalidRequest, `payload too large (more than ${MAX_REQUEST_BYTES} bytes)`);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(payload.toString('utf8'));
      } catch {
        throw new Refusal(ErrorCode.InvalidRequest, 'payload is not JSON');
      }
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new Refusal(ErrorCode.InvalidRequest, 'request must be a JSON object');
      }
      const req = raw as Record<string, unknown>;
      if (typeof req.transaction === 'string') transaction = req.transaction.slice(0, 128);
      if (!Object.hasOwn(opSchemas, op)) throw new Refusal(ErrorCode.UnknownOp, `op "${op}" is not allowed`);
      if (retained) throw new Refusal(ErrorCode.Replayed, 'retained requests are refused');
      const keys = await this.currentKeys();
      if (!keys || keys.size === 0) throw new Refusal(ErrorCode.Unauthorized, 'no command keys configured');
      if (typeof req.signature !== 'string') throw new Refusal(ErrorCode.Unauthorized, 'request is not signed');
      const key = typeof req.keyId === 'string' ? keys.get(req.keyId) : undefined;
      if (!key) throw new Refusal(ErrorCode.Unauthorized, 'unknown keyId');
      if (!verifySignature(topic, req, key)) throw new Refusal(ErrorCode.Unauthorized, 'bad signature');
      const env = envelopeSchema.safeParse(req);
      if (!env.success) {
        throw new Refusal(
          ErrorCode.InvalidRequest,
          env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const { issuedAt, expiresAt, args } = env.data;
      transaction = env.data.transaction;
      const nowMs = this.opts.now().getTime();
      const issued = Date.parse(issuedAt);
      const expires = Date.parse(expiresAt);
      if (expires <= nowMs) throw new Refusal(ErrorCode.Expired, `request expired at ${expiresAt}`);
      if (issued > nowMs + (this.opts.maxSkewMs ?? 5 * 60_000)) {
        throw new Refusal(ErrorCode.Expired, 'issuedAt is in the future');
      }
      if (expires < issued || expires - issued > (this.opts.maxLifetimeMs ?? 24 * 3600_000)) {
        throw new Refusal(ErrorCode.Expired, 'validity window too long or inverted');
      }
      if (this.opts.replayStore.has(transaction)) {
        throw new Refusal(ErrorCode.Replayed, `transaction ${transaction} already seen`);
      }
      const parsedArgs = opSchemas[op as RequestOp].safeParse(args);
      if (!parsedArgs.success) {
        throw new Refusal(
          ErrorCode.InvalidRequest,
          parsedArgs.error.issues.map((i) => `args.${i.path.join('.')}: ${i.message}`).join('; '),
        );
      }
      const handler = this.opts.handlers[op as RequestOp] as
        | ((a: unknown, request: RequestContext) => Promise<unknown>)
        | undefined;
      if (!handler) throw new Refusal(ErrorCode.UnknownOp, `op "${op}" has no handler on this gateway`);
      // recorded before running, so a crash mid-handler cannot let the same request run twice
      await this.opts.replayStore.add(transaction, expiresAt);
      const keyId = req.keyId as string;
      try {
        const data = await handler(parsedArgs.data, { keyId, transaction });
        await this.record('request.handled', { op, transaction, keyId, status: 'ok' });
        return data === undefined ? { transaction, status: 'ok' } : { transaction, status: 'ok', data };
      } catch (err) {
        const code = err instanceof CamwardenError ? err.code : ErrorCode.Internal;
        await this.record('request.handled', { op, transaction, keyId, status: 'error', code });
        return { transaction, status: 'error', error: { code, message: errorMessage(err) } };
      }
    } catch (err) {
      const refusal =
        err instanceof Refusal ? err : new Refusal(ErrorCode.Internal, `request failed: ${errorMessage(err)}`);
      this.opts.logger.warn({ op, transaction, code: refusal.code }, `request refused: ${refusal.message}`);
      await this.recordRefusal({
        op: op.slice(0, MAX_RECORDED_OP),
        transaction,
        code: refusal.code,
        message: refusal.message,
      });
      return { transaction, status: 'error', error: { code: refusal.code, message: refusal.message } };
    }
  }

  private async currentKeys(): Promise<Map<string, KeyObject> | undefined> {
    const { keys } = this.opts;
    if (typeof keys !== 'function') return keys;
    try {
      return await keys();
    } catch (err) {
      // fail closed: an unreadable or broken key file trusts no key
      throw new Refusal(ErrorCode.Unauthorized, `command keys unusable: ${errorMessage(err)}`);
    }
  }

  private async recordRefusal(data: EventData<'request.refused'>): Promise<void> {
    const now = this.opts.now().getTime();
    const window = this.refusals;
    if (now - window.since >= 60_000) {
      window.since = now;
      window.recorded = 0;
    }
    if (window.recorded >= REFUSALS_RECORDED_PER_MINUTE) {
      window.suppressed++;
      return;
    }
    window.recorded++;
    const suppressed = window.suppressed;
    window.suppressed = 0;
    await this.record('request.refused', suppressed > 0 ? { ...data, suppressed } : data);
  }

  private async record<T extends 'request.refused' | 'request.handled'>(type: T, data: EventData<T>): Promise<void> {
    try {
      await this.opts.events.emit(type, data);
      await this.opts.audit.append('request', { event: type, ...data });
    } catch (err) {
      this.opts.logger.error({ err: errorMessage(err) }, 'could not record request outcome');
    }
  }
}
