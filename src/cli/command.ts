import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../util/errors.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Shown in --help. */
  description: string;
  /** Placeholder shown after a string flag in --help, e.g. `MS`. */
  valueName?: string;
}

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CommandSpec {
  /** e.g. `scan` or `profiles check`. */
  name: string;
  summary: string;
  /** Positional synopsis, e.g. `[DIR]`; its words are how many positionals the command takes (`X...`: any). */
  positionals?: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code: 0 success, 1 failure, 2 bad usage or invalid input. */
  run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<number>;
}

export function helpText(spec: CommandSpec): string {
  const lines = [
    `Usage: camwarden ${spec.name}${spec.positionals ? ` ${spec.positionals}` : ''} [options]`,
    '',
    spec.summary,
    '',
  ];
  const entries = Object.entries(spec.options);
  if (entries.length > 0) lines.push('Options:');
  const rows = entries.map(([name, opt]) => {
    const flag = `${opt.short ? `-${opt.short}, ` : ''}--${name}${opt.type === 'string' ? ` ${opt.valueName ?? 'VALUE'}` : ''}`;
    return [flag, `${opt.description}${opt.multiple ? ' (repeatable)' : ''}`] as const;
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([f]) => f.length));
  for (const [flag, desc] of rows) lines.push(`  ${flag.padEnd(width)}  ${desc}`);
  return `${lines.join('\n')}\n`;
}

export function parseCommandArgs(
  spec: CommandSpec,
  argv: string[],
): { values: ParsedValues; positionals: string[]; help: boolean } {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, opt] of Object.entries(spec.options)) {
    options[name] = {
      type: opt.type,
      ...(opt.multiple ? { multiple: true } : {}),
      ...(opt.short ? { short: opt.short } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new UsageError(`camwarden ${spec.name}: ${message}`);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  delete values.help;
  const words = spec.positionals?.split(/\s+/).filter(Boolean) ?? [];
  const allowed = words.some((w) => w.endsWith('...')) ? Number.POSITIVE_INFINITY : words.length;
  // A stray word is a mistake (a flag without its dashes, a value without its flag): refuse it, never ignore it.
  if (!help && positionals.length > allowed) {
    throw new UsageError(
      `camwarden ${spec.name}: unexpected argument ${JSON.stringify(positionals[allowed])}` +
        (spec.positionals ? ` (usage: camwarden ${spec.name} ${spec.positionals})` : ' (it takes no arguments)'),
    );
  }
  return { values: values as ParsedValues, positionals, help };
}

/** Reads a numeric flag, naming the flag when it is not a positive integer. */
export function intFlag(values: ParsedValues, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || Number(raw) <= 0) {
    throw new UsageError(`--${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function stringsFlag(values: ParsedValues, name: string): string[] {
  const raw = values[name];
  if (raw === undefined) return [];
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string');
  return typeof raw === 'string' ? [raw] : [];
}

const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Reads a duration flag (`500ms`, `10s`, `2m`, `1h`; a bare number is seconds) in ms, naming the flag when invalid. */
export function durationFlag(values: ParsedValues, name: string, fallbackMs: number): number {
  const raw = values[name];
  if (raw === undefined) return fallbackMs;
  const m = typeof raw === 'string' ? DURATION_RE.exec(raw.trim()) : null;
  const ms = m ? Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? 's'] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new UsageError(`--${name}: expected a duration such as 500ms, 10s or 2m, got ${JSON.stringify(raw)}`);
  }
  return Math.round(ms);
}

/** A string flag the command cannot do without. */
export function requiredFlag(values: ParsedValues, name: string, command: string): string {
  const raw = values[name];
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`camwarden ${command}: --${name} is required`);
  return raw;
}
