import { spawn } from 'node:child_process';
import type { RecorderHook } from '../profiles/types.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { assertSafeId } from '../util/safe-id.js';
import type { HookRunner } from './types.js';

type HookVars = { camera: string; address: string; action: string };

function substitute(template: string, vars: HookVars, encode: (v: string) => string = (v) => v): string {
  return template.replace(/\{(camera|address|action)\}/g, (_, name: keyof HookVars) => encode(vars[name]));
}

/** Whether one hook serves both stop and start through `{action}`. */
export function hookUsesAction(hook: RecorderHook): boolean {
  return [...(hook.command ?? []), hook.url ?? ''].some((s) => s.includes('{action}'));
}

/**
 * The camera id and address reach the hook from devices: whatever produced them, they must be a plain id and a plain
 * address here, never something a command reads as an option (`-…`) or a URL reads as a path step (`..`).
 */
function checkVars(vars: HookVars): void {
  assertSafeId(vars.camera, 'recorder hook {camera}');
  if (!/^[A-Za-z0-9][A-Za-z0-9.:-]*$/.test(vars.address) && vars.address !== '') {
    throw new CamwardenError(
      ErrorCode.UnsafeId,
      `recorder hook {address}: refusing ${JSON.stringify(vars.address.slice(0, 64))}`,
    );
  }
}

/**
 * Runs a site recorder hook: an argv (never through a shell; each element substituted on its own, so a camera
 * id cannot inject arguments) or an HTTP call (values percent-encoded into the URL). Both have a timeout.
 */
export const runRecorderHook: HookRunner = async (hook, vars) => {
  const timeoutMs = hook.timeoutMs > 0 ? hook.timeoutMs : 10_000;
  checkVars(vars);
  if (hook.kind === 'command') {
    const argv = (hook.command ?? []).map((a) => {
      const arg = substitute(a, vars);
      // Only the site's own template may start an argument with "-"; a substituted value never does.
      if (arg.startsWith('-') && !a.startsWith('-')) {
        throw new CamwardenError(
          ErrorCode.UnsafeId,
          `recorder hook: argument ${JSON.stringify(arg)} would be an option`,
        );
      }
      return arg;
    });
    const [cmd, ...args] = argv;
    if (!cmd) throw new CamwardenError(ErrorCode.InvalidProfile, 'recorder hook: empty command');
    await runCommand(cmd, args, timeoutMs);
    return;
  }
  if (!hook.url) throw new CamwardenError(ErrorCode.InvalidProfile, 'recorder hook: no url');
  const url = substitute(hook.url, vars, encodeURIComponent);
  let res: Response;
  try {
    res = await fetch(url, {
      method: hook.method ?? 'POST',
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw new CamwardenError(
      ErrorCode.EnforcementFailed,
      `recorder hook ${hook.method ?? 'POST'}: ${errorMessage(err)}`,
    );
  }
  await res.body?.cancel().catch(() => undefined);
  if (!res.ok) throw new CamwardenError(ErrorCode.EnforcementFailed, `recorder hook: HTTP ${res.status}`);
};

function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false });
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CamwardenError(ErrorCode.Timeout, `recorder hook ${cmd}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      if (stderr.length < 2000) stderr += c;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CamwardenError(ErrorCode.EnforcementFailed, `recorder hook ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        const why = signal ? `killed by ${signal}` : `exit ${code}`;
        reject(
          new CamwardenError(
            ErrorCode.EnforcementFailed,
            `recorder hook ${cmd}: ${why} ${stderr.trim().slice(0, 200)}`.trim(),
          ),
        );
      }
    });
  });
}
