import { type PolicyPack, policyPackSchema } from '../profiles/pack-schema.js';
import { cn2025Pack } from './packs/cn-2025.js';

/** The default cn-2025 pack, validated once at module load (embedded, so no file access is needed). */
export const builtinPack: PolicyPack = policyPackSchema.parse(cn2025Pack);
export const BUILTIN_REVISION = 'builtin-cn-2025';
