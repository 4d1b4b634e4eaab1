import { spawn } from 'node:child_process';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { NftResult, NftRunner } from './types.js';

export type NftFailure = 'missing' | 'denied' | 'no-such-object' | 'failed' | 'timeout';

export class NftError extends CamwardenError {
  constructor(
    readonly failure: NftFailure,
    message: string,
  ) {
    super(ErrorCode.EnforcementFailed, message, { failure });
    this.name = 'NftError';
  }
}

export interface NftRunnerOptions {
  nftPath?: string;
  /** Run inside this network namespace (`ip netns exec <netns> nft …`): integration tests, multi-netns gateways. */
  netns?: string;
  timeoutMs?: number;
}

/** The real runner: spawns nft without a shell; the ruleset goes through stdin (`nft -f -`). */
export function createNftRunner(opts: NftRunnerOptions = {}): NftRunner {
  const nftPath = opts.nftPath ?? 'nft';
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return (args, stdin) =>
    new Promise<NftResult>((resolve, reject) => {
      const [cmd, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, nftPath, ...args]] : [nftPath, args];
      const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (err: NftError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve({ stdout, stderr });
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(new NftError('timeout', `nft ${args.join(' ')}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        if (stdout.length < 4 * 1024 * 1024) stdout += c;
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => {
        if (stderr.length < 64 * 1024) stderr += c;
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') finish(new NftError('missing', `${cmd}: not found (is nftables installed?)`));
        else if (err.code === 'EACCES' || err.code === 'EPERM')
          finish(new NftError('denied', `${cmd}: ${err.message}`));
        else finish(new NftError('failed', `${cmd}: ${err.message}`));
      });
      child.on('close', (code) => {
        if (code === 0) return finish(undefined);
        finish(classifyNftExit(args, code, stderr, opts.netns !== undefined));
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(stdin ?? '');
    });
}

export function classifyNftExit(args: string[], code: number | null, stderr: string, viaNetns: boolean): NftError {
  const text = stderr.trim().split('\n').slice(0, 3).join(' | ') || `exit code ${code}`;
  const what = `nft ${args.join(' ')}`;
  if (/Operation not permitted|Permission denied/i.test(stderr)) {
    return new NftError('denied', `${what}: not permitted (camwarden needs CAP_NET_ADMIN for nftables): ${text}`);
  }
  if (viaNetns && /exec of .* failed|executable file not found/i.test(stderr)) {
    return new NftError('missing', `${what}: nft not found: ${text}`);
  }
  if (/No such file or directory/i.test(stderr)) return new NftError('no-such-object', `${what}: ${text}`);
  return new NftError('failed', `${what}: ${text}`);
}
