import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { auditFilePath } from '../../audit/audit-log.js';
import { verifyAuditLog } from '../../audit/verify.js';
import { loadConfig } from '../../config/load-config.js';
import { keyIdOf, loadEd25519PublicKeys } from '../../util/ed25519-keys.js';
import { ErrorCode, errorMessage, UsageError } from '../../util/errors.js';
import type { CommandSpec } from '../command.js';

export const auditVerifyCommand: CommandSpec = {
  name: 'audit verify',
  summary:
    'Verify the hash chain and signatures of the audit log (<data dir>/audit.jsonl): an edited, removed or ' +
    'reordered line breaks it; --anchor catches lines cut off at the end. Names the first line at fault. ' +
    'Exit 0 valid, 1 broken. See docs/audit.md.',
  options: {
    file: { type: 'string', valueName: 'FILE', description: 'Audit log to verify (default: <data dir>/audit.jsonl)' },
    anchor: {
      type: 'string',
      valueName: 'HASH',
      description:
        'A hash known from outside (the "audit" head in the last status, or an audit.appended event): fail unless ' +
        'the log contains it, so a log cut short or replaced is caught',
    },
    'public-key': {
      type: 'string',
      valueName: 'FILE',
      description:
        'PEM Ed25519 public key(s) trusted for the chain (audit-signing-key.pub.pem, kept off the gateway): every ' +
        'entry after the key is declared must be signed by it',
    },
    json: { type: 'boolean', description: 'Print the result as one JSON document' },
  },
  async run(values, _positionals, io) {
    const explicit = typeof values.file === 'string' ? resolve(io.cwd, values.file) : undefined;
    const file = explicit ?? auditFilePath(loadConfig(io.env, io.cwd).config.dataDir);
    let result: Awaited<ReturnType<typeof verifyAuditLog>>;
    try {
      const anchor = typeof values.anchor === 'string' ? values.anchor.toLowerCase() : undefined;
      if (anchor !== undefined && !/^[0-9a-f]{64}$/.test(anchor)) {
        throw new UsageError(`--anchor: expected a sha256 hex (64 digits), got ${JSON.stringify(values.anchor)}`);
      }
      let trustedKeys: Map<string, KeyObject> | undefined;
      if (typeof values['public-key'] === 'string') {
        const keys = await loadEd25519PublicKeys(resolve(io.cwd, values['public-key'])).catch((err: unknown) => {
          throw new UsageError(`--public-key: ${errorMessage(err)}`);
        });
        trustedKeys = new Map(keys.map((k) => [keyIdOf(k), k]));
      }
      result = await verifyAuditLog(file, {
        ...(anchor === undefined ? {} : { anchor }),
        ...(trustedKeys ? { trustedKeys } : {}),
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT')
        throw new UsageError(`${explicit ? '--file: ' : ''}${file}: no such file`, ErrorCode.BadUsage);
      if (code === 'EISDIR') throw new UsageError(`${explicit ? '--file: ' : ''}${file}: is a directory`);
      throw err;
    }
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (result.ok) {
      const keys = result.keyIds.length > 0 ? `, ${result.signed} signed (key ${result.keyIds.join(', ')})` : '';
      io.stdout.write(`${file}: OK, ${result.entries} entries${keys}, head ${result.head}\n`);
    } else if (result.fault) {
      io.stdout.write(
        `${file}:${result.fault.line}: BROKEN (${result.fault.kind}): ${result.fault.reason}; ` +
          `${result.entries} entries verified before it\n`,
      );
    }
    return result.ok ? 0 : 1;
  },
};
