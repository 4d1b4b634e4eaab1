import { readInventory } from '../../agent/inventory-file.js';
import { MemoryAuditSink } from '../../audit/audit-sink.js';
import { loadConfig } from '../../config/load-config.js';
import { loadProfileSet } from '../../profiles/load-profile-set.js';
import { MemoryEventSink } from '../../reporting/event-sink.js';
import { HoldStore } from '../../retention/hold-store.js';
import { resolveLayout } from '../../retention/load-layout.js';
import { type CameraRetentionFacts, retentionFactsFor } from '../../retention/policy.js';
import { sweep } from '../../retention/sweep.js';
import { CamwardenError, errorMessage, UsageError } from '../../util/errors.js';
import type { CommandSpec } from '../command.js';

export const sweepCommand: CommandSpec = {
  name: 'sweep',
  summary:
    "One retention pass over CAMWARDEN_RECORDINGS_DIR: delete expired footage (never held, young, unmatched or non-regular files), quarantine blocked cameras' footage",
  options: {
    'dry-run': { type: 'boolean', description: 'Report what would be deleted or moved; change nothing' },
    json: { type: 'boolean', description: 'Print the result as one JSON document' },
  },
  async run(values, _positionals, io) {
    const { config } = loadConfig(io.env, io.cwd);
    const r = config.retention;
    if (!r.recordingsDir) {
      throw new UsageError(
        'CAMWARDEN_RECORDINGS_DIR: not set (nor retention.recordingsDir in the config); nothing to sweep',
      );
    }
    // The site's retention policy (pack floors, zone/site/camera days, overlays, legal holds); an invalid
    // profile set is an error (exit 2) rather than a sweep under a policy nobody configured.
    const profiles = await loadProfileSet(config.profilesDir ?? '', {
      keysFile: config.profileKeysFile,
      packId: config.site.policyPack,
    });
    const layout = await resolveLayout(r.layout, config.profilesDir, profiles.layouts);
    const inventory = await readInventory(config.dataDir);
    const cameras: CameraRetentionFacts[] = inventory ? retentionFactsFor(inventory, profiles) : [];
    const holds = await new HoldStore(config.dataDir).list();
    const events = new MemoryEventSink();
    let result: Awaited<ReturnType<typeof sweep>>;
    try {
      result = await sweep({
        root: r.recordingsDir,
        layout,
        policy: profiles.retention,
        cameras,
        extraHolds: holds,
        dataDir: config.dataDir,
        ...(r.quarantineDir ? { quarantineDir: r.quarantineDir } : {}),
        ...(r.quotaBytes !== undefined ? { quotaBytes: r.quotaBytes } : {}),
        ...(r.minFreeBytes !== undefined ? { minFreeBytes: r.minFreeBytes } : {}),
        maxDeletesPerRun: r.maxDeletesPerRun,
        activeWriteGraceS: r.activeWriteGraceS,
        maxClockAheadDays: r.maxClockAheadDays,
        dryRun: values['dry-run'] === true,
        events,
        audit: new MemoryAuditSink(),
      });
    } catch (err) {
      const code = err instanceof CamwardenError ? err.details?.errno : (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new UsageError(`CAMWARDEN_RECORDINGS_DIR: ${r.recordingsDir}: ${errorMessage(err)}`);
      }
      throw err;
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
    }
    return result.refused || result.errors.length > 0 ? 1 : 0;
  },
};
