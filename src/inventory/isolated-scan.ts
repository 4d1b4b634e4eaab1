import { fork } from 'node:child_process';
import type { Config } from '../config/schema.js';
import type { ScanResult } from '../model/camera-records.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { IdentityContext, IdentityOutcome } from './identity-pins.js';
import { orderRecords } from './record-order.js';
import type { DecideFn } from './scan.js';
import { scanBudget } from './scan-budget.js';
import type { ScanReply, ScanRequest } from './scan-worker.js';

export interface IsolatedScanOptions {
  config: Config;
  decide: DecideFn;
  policyRevision: string;
  devices?: readonly string[];
  /** Hello-announced device service URLs (ScanDeps.announced): not trusted as targets. */
  announced?: readonly string[];
  identity?: IdentityContext;
  /** The pins and identity events of the scan, before its records are decided. */
  onIdentity?: (outcome: IdentityOutcome) => void;
  logger: Logger;
  /** Node flags of the scan process. The old-space cap is what a hostile device can make it use at most. */
  execArgv?: readonly string[];
  /** The worker script (tests); default: scan-worker.js beside this module. */
  workerPath?: string;
  /** Kill the scan process after this long (tests); default: the scan's own limit plus start-up room. */
  limitMs?: number;
  /** Abort: the scan process is killed and the scan rejects with ErrorCode.Aborted. */
  signal?: AbortSignal;
}

export const SCAN_PROCESS_ARGV = ['--max-old-space-size=256', '--max-semi-space-size=2'];
/** Room for the scan process to start and hand its result back, on top of the scan's own time limit. */
const START_AND_REPLY_MS = 15_000;

/**
 * One scan pass in a child process (scan-worker.js): discovery and interrogation happen there, the decision here,
 * with the agent's live policy. The child ends after one scan, so the memory a big site's scan needed is handed
 * back to the system at once. A child that crashes, overruns or answers nonsense fails this scan with a
 * CamwardenError; the agent goes on.
 */
export function runIsolatedScan(opts: IsolatedScanOptions): Promise<ScanResult> {
  const workerPath = opts.workerPath ?? new URL('./scan-worker.js', import.meta.url).pathname;
  const limitMs = opts.limitMs ?? scanBudget(opts.config, undefined).scanTimeoutMs + START_AND_REPLY_MS;
  return new Promise<ScanResult>((resolve, reject) => {
    const child = fork(workerPath, [], {
      execArgv: [...(opts.execArgv ?? SCAN_PROCESS_ARGV)],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
    });
    let settled = false;
    const finish = (err: CamwardenError | undefined, result?: ScanResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(result as ScanResult);
    };
    const timer = setTimeout(
      () => finish(new CamwardenError(ErrorCode.Timeout, `scan process did not finish within ${limitMs} ms`)),
      limitMs,
    );
    const onAbort = (): void => finish(new CamwardenError(ErrorCode.Aborted, 'scan aborted: the agent is stopping'));
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) =>
      finish(new CamwardenError(ErrorCode.Internal, `scan process could not run: ${err.message}`)),
    );
    child.once('exit', (code, signal) =>
      finish(
        new CamwardenError(
          ErrorCode.Internal,
          `scan process ended without a result (${signal ? `signal ${signal}` : `exit code ${code}`})`,
        ),
      ),
    );
    child.once('message', (message: ScanReply) => {
      if (message?.type === 'result' && Array.isArray(message.result?.cameras)) {
        if (message.identity) opts.onIdentity?.(message.identity);
        finish(undefined, message.result);
      } else if (message?.type === 'failed') {
        finish(new CamwardenError(message.code as ErrorCode, `scan failed: ${message.message}`));
      } else {
        finish(new CamwardenError(ErrorCode.Internal, 'scan process sent an unexpected message'));
      }
    });
    const request: ScanRequest = {
      type: 'scan',
      config: opts.config,
      devices: [...(opts.devices ?? [])],
      announced: [...(opts.announced ?? [])],
      identity: opts.identity ?? { pins: [] },
    };
    child.send(request, (err) => {
      if (err) finish(new CamwardenError(ErrorCode.Internal, `scan process unreachable: ${err.message}`));
    });
  }).then(async (result) => {
    const decided = orderRecords(await opts.decide(result.cameras));
    opts.logger.debug({ cameras: decided.length }, 'isolated scan decided');
    return { ...result, policyRevision: opts.policyRevision, cameras: decided };
  });
}
