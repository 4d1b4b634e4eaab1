import { PassThrough } from 'node:stream';
import type { CommandIO } from '../../src/cli/command.js';

/** A CommandIO whose stdout and stderr are collected, for calling `main()` in-process. */
export function captureIo(
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): {
  io: CommandIO;
  out: () => string;
  err: () => string;
} {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return { io: { stdout, stderr, env, cwd }, out: () => out, err: () => err };
}
