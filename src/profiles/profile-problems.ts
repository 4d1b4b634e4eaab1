import { ProfileValidationError } from './load-profile-set.js';

/** The problems a failed load reports: a validation error's list, else the error itself. */
export function problemsOf(err: unknown): string[] {
  if (err instanceof ProfileValidationError) return err.problems;
  return [`(profiles): (root): ${err instanceof Error ? err.message : String(err)}`];
}
