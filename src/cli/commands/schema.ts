import { isPayloadName, PAYLOAD_NAMES, payloadJsonSchema } from '../../reporting/schemas/index.js';
import { UsageError } from '../../util/errors.js';
import type { CommandIO, CommandSpec, ParsedValues } from '../command.js';

/** `camwarden schema [NAME]`: the JSON Schema of one payload, or of all of them keyed by name. */
export const schemaCommand: CommandSpec = {
  name: 'schema',
  summary:
    `Print the JSON Schema (draft 2020-12) of a payload: ${PAYLOAD_NAMES.join(', ')}. ` +
    'Without NAME: one object with every schema, keyed by name.',
  positionals: '[NAME]',
  options: {},
  async run(_values: ParsedValues, positionals: string[], io: CommandIO): Promise<number> {
    if (positionals.length > 1) throw new UsageError('camwarden schema: at most one NAME');
    const [name] = positionals;
    if (name === undefined) {
      const all = Object.fromEntries(PAYLOAD_NAMES.map((n) => [n, payloadJsonSchema(n)]));
      io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      return 0;
    }
    if (!isPayloadName(name)) {
      throw new UsageError(
        `camwarden schema: unknown payload ${JSON.stringify(name)} (known: ${PAYLOAD_NAMES.join(', ')})`,
      );
    }
    io.stdout.write(`${JSON.stringify(payloadJsonSchema(name), null, 2)}\n`);
    return 0;
  },
};
