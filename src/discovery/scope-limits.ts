import type { DeviceError } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';

/** How many scopes of one device are kept, and how long one may be (config discovery.maxScopes*). */
export interface ScopeLimits {
  maxScopes: number;
  maxScopeLength: number;
}

/** The config defaults, for callers without a config (tests, the simulator's own clients). */
export const DEFAULT_SCOPE_LIMITS: ScopeLimits = { maxScopes: 128, maxScopeLength: 1024 };

export interface LimitedScopes {
  scopes: string[];
  /** Set when anything was dropped: the record's error entry saying what and how much. */
  error?: DeviceError;
}

/**
 * Keeps the first `maxScopes` scopes of at most `maxScopeLength` characters, in the device's order; drops the rest
 * and says so. Runs where scopes are read off the wire, so policy never works on more than the bound. Cost is
 * linear in the input and stops early, however many scopes a device sends.
 */
export function limitScopes(raw: readonly string[], limits: ScopeLimits, source: string): LimitedScopes {
  const scopes: string[] = [];
  let tooLong = 0;
  let tooMany = 0;
  for (const scope of raw) {
    if (scope.length > limits.maxScopeLength) tooLong++;
    else if (scopes.length >= limits.maxScopes) tooMany++;
    else scopes.push(scope);
  }
  if (tooLong === 0 && tooMany === 0) return { scopes };
  const parts: string[] = [];
  if (tooMany > 0) parts.push(`${tooMany} over the cap of ${limits.maxScopes}`);
  if (tooLong > 0) parts.push(`${tooLong} longer than ${limits.maxScopeLength} characters`);
  return {
    scopes,
    error: {
      code: ErrorCode.ScopesDropped,
      message: `${source}: ${raw.length} scopes, ${tooMany + tooLong} dropped (${parts.join('; ')}); the device's location may be incomplete`,
    },
  };
}
