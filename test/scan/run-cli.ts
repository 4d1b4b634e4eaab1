import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDist } from '../helpers/dist.js';

export const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

export function buildDist(): void {
  ensureDist();
}

/** Spawns `node dist/cli/main.js …`, sampling the child's peak RSS (VmHWM) while it runs. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number; hwmKb: number }>((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [MAIN, ...args], {
      cwd: mkdtempSync(join(tmpdir(), 'cw-scan-')),
      env: { PATH: process.env.PATH ?? '', CAMWARDEN_LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    let hwmKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 25);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr, ms: Date.now() - t0, hwmKb });
    });
  });
}
