#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CamwardenError, errorMessage, UsageError } from '../util/errors.js';
import { type CommandIO, helpText, parseCommandArgs } from './command.js';
import { COMMANDS } from './registry.js';

export { VERSION } from './version.js';

import { VERSION } from './version.js';

function topHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = [
    'camwarden: enforces the PRC video-surveillance regulations (Order 799) on ONVIF cameras and NVRs.',
    '',
    'Usage: camwarden <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `camwarden <command> --help` for its flags. Settings (CAMWARDEN_* and the config file): docs/configuration.md.',
  ];
  return `${lines.join('\n')}\n`;
}

/** Resolves `profiles check` style two-word commands first. */
function resolveCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { name: two, rest: argv.slice(2) };
  const one = argv[0];
  if (one !== undefined && COMMANDS[one]) return { name: one, rest: argv.slice(1) };
  return undefined;
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const first = argv[0];
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(topHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const resolved = resolveCommand(argv);
  if (!resolved) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
    const hint = group.length > 0 ? ` (did you mean: ${group.join(', ')}?)` : '';
    io.stderr.write(`camwarden: unknown command ${JSON.stringify(first)}${hint}\n\n${topHelp()}`);
    return 2;
  }
  const entry = COMMANDS[resolved.name];
  if (!entry) return 2;
  try {
    const spec = await entry.load();
    const { values, positionals, help } = parseCommandArgs(spec, resolved.rest);
    if (help) {
      io.stdout.write(helpText(spec));
      return 0;
    }
    return await spec.run(values, positionals, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    const code = err instanceof CamwardenError ? `${err.code}: ` : '';
    io.stderr.write(`camwarden ${resolved.name}: ${code}${errorMessage(err)}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Resolves once everything written to `stream` so far has been handed to the system. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  // The callback comes when earlier writes are out, or with the error that ended the stream (a closed pipe).
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * Runs the command line as this process: the command's exit code becomes the process's. Called below when this file
 * is the entry point (the tsc tree: `node dist/cli/main.js`), and by the package's bin (./bin.ts) in the bundle.
 */
export function runAsProcess(argv: string[]): void {
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
  void main(argv, io)
    .catch((err: unknown) => {
      process.stderr.write(`camwarden: ${errorMessage(err)}\n`);
      return 1;
    })
    .then(async (code) => {
      // A command is done when its run() resolves: it has stopped what it started and awaited its own writes. Exit
      // once the output is out, instead of letting V8 free the heap piece by piece first (a scan's heap takes tens
      // of ms; bench/scan.mjs).
      await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
      process.exit(code);
    });
}

if (isEntryPoint()) runAsProcess(process.argv.slice(2));
