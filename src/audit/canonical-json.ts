/**
 * Round-trips data through JSON so what is hashed (util/jcs.ts) is exactly what a reader parses back: no
 * `undefined`, functions or non-finite numbers reach the canonical form.
 */
export function toPlainJson(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}
