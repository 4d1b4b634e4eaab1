import { loadActiveProfileSet } from '../../agent/active-profile-set.js';
import { DataDirLock } from '../../agent/data-dir-lock.js';
import { readInventory } from '../../agent/inventory-file.js';
import { buildSweepOptions } from '../../agent/sweep-options.js';
import { AuditLog, auditFilePath } from '../../audit/audit-log.js';
import { auditKeyPath } from '../../audit/signing-key.js';
import { loadConfig } from '../../config/load-config.js';
import { HoldStore } from '../../retention/hold-store.js';
import { type SweepResult, sweep } from '../../retention/sweep.js';
import { CamwardenError, errorMessage, UsageError } from '../../util/errors.js';
import type { CommandSpec } from '../command.js';

export const sweepCommand: CommandSpec = {
  name: 'sweep',
  summary:
    "One retention pass over CAMWARDEN_RECORDINGS_DIR: delete expired footage (never held, young, unmatched or non-regular files), quarantine blocked cameras' footage; every deletion goes to the audit log",
  options: {
    'dry-run': { type: 'boolean', description: 'Report what would be deleted or moved; change nothing' },
    json: { type: 'boolean', description: 'Print the result as one JSON document' },
  },
  async run(values, _positionals, io) {
    const { config } = loadConfig(io.env, io.cwd);
    const dir = config.retention.recordingsDir;
    if (!dir) {
      throw new UsageError(
        'CAMWARDEN_RECORDINGS_DIR: not set (nor retention.recordingsDir in the config); nothing to sweep',
      );
    }
    // The site's retention policy; an invalid profile set is an error (exit 2), not a sweep under a policy
    // nobody configured.
    const profiles = await loadActiveProfileSet(config);
    const dryRun = values['dry-run'] === true;
    // A real pass writes the journal and the audit log: it needs the data dir to itself (the agent holds it
    // while it runs; ask it with the signed `sweep` request instead).
    const lock = dryRun ? undefined : await DataDirLock.acquire(config.dataDir, 'sweep');
    const audit = dryRun
      ? undefined
      : new AuditLog({
          file: auditFilePath(config.dataDir),
          signingKeyFile: auditKeyPath(config.dataDir),
          writer: 'sweep',
        });
    let result: SweepResult;
    try {
      await audit?.start();
      const opts = await buildSweepOptions({
        config,
        profiles,
        inventory: await readInventory(config.dataDir),
        holds: new HoldStore(config.dataDir),
        ...(audit ? { audit } : {}),
      });
      result = await sweep({ ...opts, dryRun, inline: true });
    } catch (err) {
      const code = err instanceof CamwardenError ? err.details?.errno : (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new UsageError(`CAMWARDEN_RECORDINGS_DIR: ${dir}: ${errorMessage(err)}`);
      }
      throw err;
    } finally {
      await audit?.stop();
      await lock?.release();
    }
    const out = {
      dryRun: result.dryRun,
      scanned: result.scanned,
      deleted: result.deleted,
      bytesFreed: result.bytesFreed,
      quarantined: result.quarantined,
      held: result.held,
      unmatched: result.unmatched,
      skipped: result.skipped.map((s) => ({ path: s.path, reason: s.reason })),
      errors: result.errors,
    };
    if (values.json === true) io.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      const verb = result.dryRun ? 'would delete' : 'deleted';
      io.stdout.write(
        `${result.dryRun ? '[dry-run] ' : ''}scanned ${out.scanned}, ${verb} ${out.deleted} (${out.bytesFreed} bytes), quarantined ${out.quarantined}, held ${out.held}, unmatched ${out.unmatched}, skipped ${result.skippedTotal}, errors ${out.errors.length}\n`,
      );
      for (const e of out.errors) io.stderr.write(`sweep: ${e.path ? `${e.path}: ` : ''}${e.code}: ${e.message}\n`);
      if (result.refused) io.stderr.write(`sweep: refused to delete (${result.refused})\n`);
      for (const i of result.implausible) {
        io.stderr.write(`sweep: camera ${i.camera} left alone: recording dated in the future (${i.path})\n`);
      }
    }
    return result.refused || result.errors.length > 0 ? 1 : 0;
  },
};
