import type { ChildProcess } from 'node:child_process';

/** What a spawned child has written so far, stdout and stderr kept apart (spawned with stdio pipes). */
export interface ChildOutput {
  stdout(): string;
  stderr(): string;
}

export function collectOutput(child: ChildProcess): ChildOutput {
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return { stdout: () => out, stderr: () => err };
}
