/**
 * Which device-profiles set is active, answered in one place for the daemon and every command: the bundle
 * applied by a signed `profiles/apply` when one is active, else the configured dir; loaded with the configured
 * signing keys and policy pack; with the consent records recorded at run time merged in (docs/cli.md).
 * The daemon keeps it live (ProfileStore, built from profileSource); a command loads it once and refuses an
 * invalid set (exit 2) instead of deciding on a last-known-good it cannot see.
 */
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { activeProfilesDir } from '../profiles/applied-bundles.js';
import { loadProfileSet } from '../profiles/load-profile-set.js';
import { ConsentRecordStore, mergeConsents } from '../profiles/record-store.js';
import type { ProfileSet } from '../profiles/types.js';

export interface ProfileSource {
  /** The configured device-profiles dir (an applied bundle in dataDir takes its place while active). */
  dir: string;
  dataDir: string;
  keysFile: string | undefined;
  packId: string | undefined;
}

export function profileSource(config: Config): ProfileSource {
  return {
    // loadConfig always sets it (the bundled device-profiles/ by default); empty only in a hand-built Config.
    dir: config.profilesDir ?? '',
    dataDir: config.dataDir,
    keysFile: config.profileKeysFile,
    packId: config.site.policyPack,
  };
}

/** The active profile set; undefined only when no profiles dir is configured (the built-in pack decides). */
export async function loadActiveProfileSet(config: Config): Promise<ProfileSet | undefined> {
  const source = profileSource(config);
  if (!source.dir) return undefined;
  return loadProfilesFrom(config, await activeProfilesDir(source.dataDir, source.dir));
}

/** A profile set from `dir` as the agent would load it (keys, pack, consent records): for `plan` and `explain`. */
export async function loadProfilesFrom(config: Config, dir: string): Promise<ProfileSet> {
  const consents = new ConsentRecordStore(config.dataDir);
  const { keysFile, packId } = profileSource(config);
  // Each command process loads the same files again: their parsed YAML is kept in the data dir (yaml-cache.ts).
  const yamlCacheFile = config.dataDir ? join(config.dataDir, 'profile-yaml-cache.json') : undefined;
  const [, set] = await Promise.all([consents.load(), loadProfileSet(dir, { keysFile, packId, yamlCacheFile })]);
  return mergeConsents(set, consents.list());
}
