import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadActiveProfileSet, loadProfilesFrom } from '../../agent/active-profile-set.js';
import { loadConfig } from '../../config/load-config.js';
import type { CameraRecord, Decision, ScanResult } from '../../model/camera-records.js';
import { activePack, BUILTIN_REVISION, evaluateRecords, holdDecisions } from '../../policy/index.js';
import type { ProfileSet } from '../../profiles/types.js';
import { UsageError } from '../../util/errors.js';
import type { CommandIO, CommandSpec, ParsedValues } from '../command.js';

export interface PlanChange {
  id: string;
  address: string;
  from: { action: Decision['action']; codes: string[] };
  to: { action: Decision['action']; codes: string[]; reasons: Decision['reasons'] };
}

export interface Plan {
  from: string;
  to: string;
  changes: PlanChange[];
}

type Evaluate = (records: CameraRecord[], profiles: ProfileSet | undefined, opts: { now: Date }) => CameraRecord[];

const codesOf = (d: Decision): string[] => [...new Set(d.reasons.map((r) => r.code))].sort();

/** Cameras whose decision differs between the two evaluations (action or the set of reason codes). */
export function diffDecisions(from: CameraRecord[], to: CameraRecord[]): PlanChange[] {
  const before = new Map(from.map((r) => [r.id, r]));
  const changes: PlanChange[] = [];
  for (const after of to) {
    const prev = before.get(after.id);
    if (!prev) continue;
    const a = codesOf(prev.decision);
    const b = codesOf(after.decision);
    if (prev.decision.action === after.decision.action && a.join('\0') === b.join('\0')) continue;
    changes.push({
      id: after.id,
      address: after.address,
      from: { action: prev.decision.action, codes: a },
      to: { action: after.decision.action, codes: b, reasons: after.decision.reasons },
    });
  }
  return changes;
}

/**
 * from = the current profiles (or, without --profiles, the decisions recorded in the scan), to = DIR (or the
 * current profiles). Pure given its inputs; evaluate is injected so the logic is testable without a policy pack.
 */
export function computePlan(args: {
  scan: ScanResult;
  current: ProfileSet | undefined;
  candidate: ProfileSet | undefined;
  compareWithScan: boolean;
  evaluate: Evaluate;
  now: Date;
}): Plan {
  const { scan, evaluate, now } = args;
  // As the agent decides: a block that was not re-verified by an authenticated scan is held whatever the profiles say.
  const decide = (set: ProfileSet | undefined) =>
    holdDecisions(evaluate(scan.cameras, set, { now }), { previous: scan.cameras, rule: activePack(set).id });
  const fromRecords = args.compareWithScan ? scan.cameras : decide(args.current);
  const toSet = args.compareWithScan ? args.current : args.candidate;
  const toRecords = decide(toSet);
  return {
    from: args.compareWithScan ? scan.policyRevision : (args.current?.revision ?? BUILTIN_REVISION),
    to: toSet?.revision ?? BUILTIN_REVISION,
    changes: diffDecisions(fromRecords, toRecords),
  };
}

async function readScan(file: string): Promise<ScanResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'not found (run `camwarden scan` first)'
        : (err as Error).message;
    throw new UsageError(`plan: inventory ${file}: ${why}`);
  }
  let scan: ScanResult;
  try {
    scan = JSON.parse(text) as ScanResult;
  } catch (err) {
    throw new UsageError(`plan: inventory ${file}: not JSON (${(err as Error).message})`);
  }
  if (!scan || !Array.isArray(scan.cameras)) throw new UsageError(`plan: inventory ${file}: no cameras[] list`);
  for (const [i, c] of scan.cameras.entries()) {
    if (!c || typeof c.id !== 'string' || !c.decision || !Array.isArray(c.decision.reasons)) {
      throw new UsageError(`plan: inventory ${file}: cameras.${i}: not a camera record`);
    }
  }
  return scan;
}

function formatPlan(plan: Plan): string {
  const lines = [`plan: ${plan.from} → ${plan.to}: ${plan.changes.length} camera(s) would change`];
  const fmt = (a: string, codes: string[]) => `${a}${codes.length ? ` [${codes.join(', ')}]` : ''}`;
  for (const c of plan.changes) {
    lines.push(`  ${c.id}  ${c.address}  ${fmt(c.from.action, c.from.codes)} → ${fmt(c.to.action, c.to.codes)}`);
  }
  return `${lines.join('\n')}\n`;
}

export const planCommand: CommandSpec = {
  name: 'plan',
  summary:
    'What-if before anything is applied: evaluates the last scan under the current profiles and under DIR and ' +
    'lists each camera whose decision would change. Without --profiles: the scan’s recorded decisions against ' +
    'the current profiles.',
  options: {
    profiles: { type: 'string', valueName: 'DIR', description: 'Candidate device-profiles directory' },
    inventory: {
      type: 'string',
      valueName: 'FILE',
      description: 'Scan result to use (default <dataDir>/inventory.json)',
    },
    json: { type: 'boolean', description: 'Print {from, to, changes} as JSON' },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    return runPlan(values, io, evaluateRecords);
  },
};

export async function runPlan(values: ParsedValues, io: CommandIO, evaluate: Evaluate): Promise<number> {
  const { config } = loadConfig(io.env, io.cwd);
  const inventory =
    typeof values.inventory === 'string' ? resolve(io.cwd, values.inventory) : join(config.dataDir, 'inventory.json');
  const scan = await readScan(inventory);
  const current = await loadActiveProfileSet(config);
  const candidateDir = typeof values.profiles === 'string' ? resolve(io.cwd, values.profiles) : undefined;
  const candidate = candidateDir ? await loadProfilesFrom(config, candidateDir) : undefined;
  const plan = computePlan({
    scan,
    current,
    candidate,
    compareWithScan: candidateDir === undefined,
    evaluate,
    now: new Date(),
  });
  io.stdout.write(values.json === true ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
  return 0;
}
