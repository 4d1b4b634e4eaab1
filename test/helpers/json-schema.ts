import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { main } from '../../src/cli/main.js';
import { captureIo } from './cli-io.js';

/**
 * Validators compiled from what `camwarden schema` prints, so tests check payloads against the published JSON
 * Schema (not only the zod schemas it is generated from). Strict: a schema ajv finds dubious fails the test.
 */
export async function publishedValidators(): Promise<Record<string, ValidateFunction>> {
  const t = captureIo();
  const code = await main(['schema'], t.io);
  if (code !== 0) throw new Error(`camwarden schema exited ${code}: ${t.err()}`);
  const all = JSON.parse(t.out()) as Record<string, object>;
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  return Object.fromEntries(Object.entries(all).map(([name, schema]) => [name, ajv.compile(schema)]));
}

/** Throws with ajv's own words when `payload` does not match. */
export function expectValid(validate: ValidateFunction | undefined, payload: unknown, what: string): void {
  if (!validate) throw new Error(`no schema for ${what}`);
  if (!validate(payload)) {
    throw new Error(
      `${what} does not match its schema: ${JSON.stringify(validate.errors)}\n${JSON.stringify(payload)}`,
    );
  }
}
