import { writeKeyPair } from '../../operator/key-files.js';
import { type CommandIO, type CommandSpec, type ParsedValues, requiredFlag } from '../command.js';

/** `camwarden keys generate --out DIR`: a new Ed25519 signing pair for requests and profile bundles. */
export const keysGenerateCommand: CommandSpec = {
  name: 'keys generate',
  summary:
    'Create an Ed25519 signing pair in DIR: private.pem (0600, stays with the operator) and public.pem (for the ' +
    'gateway’s CAMWARDEN_COMMAND_KEYS or profileKeysFile). Prints the keyId. Never overwrites a key.',
  options: {
    out: { type: 'string', valueName: 'DIR', description: 'Directory for private.pem and public.pem (created 0700)' },
    json: { type: 'boolean', description: 'Print {keyId, privateKey, publicKey} as JSON' },
  },
  async run(values: ParsedValues, _positionals: string[], io: CommandIO): Promise<number> {
    const out = requiredFlag(values, 'out', 'keys generate');
    const pair = await writeKeyPair(out);
    if (values.json === true) {
      io.stdout.write(
        `${JSON.stringify({ keyId: pair.keyId, privateKey: pair.privateKeyPath, publicKey: pair.publicKeyPath })}\n`,
      );
    } else {
      io.stdout.write(`${pair.keyId}\n`);
      io.stderr.write(`private key: ${pair.privateKeyPath} (0600)\npublic key:  ${pair.publicKeyPath}\n`);
    }
    return 0;
  },
};
