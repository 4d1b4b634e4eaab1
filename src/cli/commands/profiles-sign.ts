import { stat } from 'node:fs/promises';
import { signBundle } from '../../profiles/bundle.js';
import { validateProfileDir } from '../../profiles/load-profile-set.js';
import { keyIdOf, loadEd25519PrivateKey } from '../../util/ed25519-keys.js';
import { UsageError } from '../../util/errors.js';
import { type CommandIO, type CommandSpec, type ParsedValues, requiredFlag } from '../command.js';

/** `camwarden profiles sign DIR --key PRIVATE.pem`: the manifest and signature that profileKeysFile verifies. */
export const profilesSignCommand: CommandSpec = {
  name: 'profiles sign',
  summary:
    'Validate and sign a device-profiles directory: writes DIR/manifest.json (sha256 of every file) and ' +
    'DIR/manifest.sig (Ed25519), which a gateway with profileKeysFile requires. An invalid set is not signed ' +
    '(exit 2, every problem named). Sign again after any change.',
  positionals: 'DIR',
  options: {
    key: { type: 'string', valueName: 'PRIVATE.pem', description: 'Ed25519 private key (camwarden keys generate)' },
    json: { type: 'boolean', description: 'Print the manifest as JSON' },
  },
  async run(values: ParsedValues, positionals: string[], io: CommandIO): Promise<number> {
    const [dir, ...rest] = positionals;
    if (dir === undefined || rest.length > 0) throw new UsageError('camwarden profiles sign: exactly one DIR');
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
      throw new UsageError(`camwarden profiles sign: ${dir}: not a directory`);
    }
    const keyFile = requiredFlag(values, 'key', 'profiles sign');
    const key = await loadEd25519PrivateKey(keyFile).catch((err: unknown) => {
      throw new UsageError(`--key: ${(err as Error).message}`);
    });
    // A signature vouches for the set: a set the agent would refuse is not signed (the same check as profiles check).
    const checked = await validateProfileDir(dir, {});
    if (!checked.ok) {
      for (const p of checked.problems) io.stderr.write(`${p}\n`);
      io.stderr.write(`camwarden profiles sign: ${dir} is not a valid device-profiles set: nothing signed\n`);
      return 2;
    }
    const manifest = await signBundle(dir, key);
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    } else {
      io.stdout.write(
        `signed ${Object.keys(manifest.files).length} files in ${dir}: revision ${manifest.revision}, key ${keyIdOf(key)}\n`,
      );
    }
    return 0;
  },
};
