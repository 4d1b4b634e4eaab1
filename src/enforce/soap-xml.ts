import { responseBodyAsync } from '../onvif/responses.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { XmlNode } from '../xml/index.js';

/**
 * The `<operation>Response` element of a device's answer. A fault becomes a CamwardenError; an answer that is not a
 * SOAP envelope, or whose Body holds something else, is InvalidXml (never read as an empty list). No size cap here:
 * the session has already capped the response at the configured size (bytes and elements). Parsed as strictly as every
 * other untrusted XML (DOCTYPE refused, depth-capped), in slices that yield to the event loop: levers run in the
 * agent's own process.
 */
export async function operationResponse(xml: string, operation: string): Promise<XmlNode> {
  const body = await responseBodyAsync(xml, operation, { maxBytes: Number.POSITIVE_INFINITY });
  if (body.local !== `${operation}Response`) {
    throw new CamwardenError(ErrorCode.InvalidXml, `${operation}: expected ${operation}Response, got <${body.name}>`);
  }
  return body;
}
