import { CamwardenError, ErrorCode } from './errors.js';

/**
 * The one canonical JSON of the project (request signatures, audit chain hashes).
 * RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, ECMAScript number and
 * string serialisation (what JSON.stringify does for primitives), no whitespace.
 */
export function canonicalize(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CamwardenError(ErrorCode.Internal, 'JCS: non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalize(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      // default sort compares UTF-16 code units, which is what RFC 8785 (section 3.2.3) asks for
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
    }
    default:
      throw new CamwardenError(ErrorCode.Internal, `JCS: cannot serialise ${typeof value}`);
  }
}
