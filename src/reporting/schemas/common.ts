import { z } from 'zod';

/** ISO-8601 UTC timestamp as `Date.prototype.toISOString()` writes it (`Z`, no offset). */
export const isoTimestamp = z.iso.datetime();

/**
 * A camera id that is safe as a topic level, a path segment and an argument: only `[A-Za-z0-9._:-]`,
 * at most 128 characters, never `.` or `..` (docs/mqtt.md, "Camera records").
 */
export const safeCameraId = z
  .string()
  .regex(/^(?!\.\.?$)[A-Za-z0-9._:-]{1,128}$/, 'only [A-Za-z0-9._:-], 1-128 characters, not "." or ".."');

/** `{code, message}`: an error attached to a camera or carried by a response. */
export const codedError = z.object({ code: z.string().min(1), message: z.string() });
