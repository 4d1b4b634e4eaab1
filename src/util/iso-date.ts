import { z } from 'zod';

/** YYYY-MM-DD or a full ISO timestamp that actually parses (a malformed date is an error, not "never"). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'expected an ISO date (YYYY-MM-DD)')
  .refine((s) => !Number.isNaN(Date.parse(s)) && isRealDay(s), 'not a real calendar date');

function isRealDay(s: string): boolean {
  const [y, m, d] = s.slice(0, 10).split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}
