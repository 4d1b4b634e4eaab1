import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { validateProfileDir } from '../../profiles/load-profile-set.js';
import { UsageError } from '../../util/errors.js';
import type { CommandIO, CommandSpec, ParsedValues } from '../command.js';

export const profilesCheckCommand: CommandSpec = {
  name: 'profiles check',
  summary:
    'Validate a device-profiles directory (default: the configured one). Every problem is printed as ' +
    '`file: path.to.field: message` on stderr and the exit code is 2; a valid set prints its revision.',
  positionals: '[DIR]',
  options: {
    keys: { type: 'string', valueName: 'FILE', description: 'Verify the bundle signature with these Ed25519 keys' },
    pack: {
      type: 'string',
      valueName: 'ID',
      description: 'Policy pack to activate (default: the configured site.policyPack, else the site profile’s)',
    },
  },
  async run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<number> {
    // With an explicit DIR the check works on a machine with no agent config (an operator's workstation).
    const loaded = positionals[0] ? tryLoadConfig(io) : loadConfig(io.env, io.cwd);
    const dir = positionals[0] ? resolve(io.cwd, positionals[0]) : (loaded?.config.profilesDir as string);
    const keysFile =
      typeof values.keys === 'string'
        ? resolve(io.cwd, values.keys)
        : loaded?.config.profileKeysFile
          ? resolve(loaded.baseDir, loaded.config.profileKeysFile)
          : undefined;
    const isDir = await stat(dir).then(
      (st) => st.isDirectory(),
      () => false,
    );
    if (!isDir) throw new UsageError(`${positionals[0] ? 'DIR' : 'profilesDir'}: ${dir}: no such directory`);
    const result = await validateProfileDir(dir, {
      keysFile,
      // The agent's own choice of pack (config before site profile) unless the flag names one.
      packId: typeof values.pack === 'string' ? values.pack : loaded?.config.site.policyPack,
    });
    if (!result.ok || !result.set) {
      for (const p of result.problems) io.stderr.write(`${p}\n`);
      return 2;
    }
    const s = result.set;
    io.stdout.write(
      [
        `profiles ok: ${dir}`,
        `  revision   ${s.revision}${s.signed ? ' (signed)' : ''}`,
        `  pack       ${s.packId} (available: ${Object.keys(s.packs).sort().join(', ')})`,
        `  vendors    ${s.vendors.length}`,
        `  layouts    ${Object.keys(s.layouts).length}`,
        `  cameras    ${s.site.cameras.length} assigned; ${s.site.consents.length} consents, ${s.site.filings.length} filings, ${s.site.signage.length} signage, ${s.site.geofences.length} geofences, ${s.retention.legalHolds.length} legal holds`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};

function tryLoadConfig(io: CommandIO): ReturnType<typeof loadConfig> | undefined {
  try {
    return loadConfig(io.env, io.cwd);
  } catch {
    return undefined;
  }
}
