import { type PolicyPack, policyPackSchema } from '../profiles/pack-schema.js';
import { PARSED_ONCE } from '../util/parsed-once.js';
import { cn2025Pack } from './packs/cn-2025.js';

let validated: PolicyPack | undefined;

/**
 * The default cn-2025 pack (embedded, so no file access is needed), validated on first use and once per process:
 * validating it at import cost every process ~13 ms, most of which decide under a profile set's own pack.
 */
export function builtinPack(): PolicyPack {
  validated ??= policyPackSchema.parse(cn2025Pack, PARSED_ONCE);
  return validated;
}

export const BUILTIN_REVISION = 'builtin-cn-2025';
