import { responseBodyAsync } from '../onvif/responses.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { XmlNode } from '../xml/index.js';
import { NS as XML_NS } from '../xml/namespaces.js';

/**
 * The SOAP XML enforcement exchanges with devices: the namespaces of the bodies it builds and the answers it reads,
 * parsed like every other untrusted XML in the project (src/xml: strict, DOCTYPE refused, depth-capped).
 */
export const NS = { tds: XML_NS.device, tt: XML_NS.schema, tr2: XML_NS.media2, trc: XML_NS.recording } as const;

/**
 * The `<operation>Response` element of a device's answer. A fault becomes a CamwardenError; an answer that is not a
 * SOAP envelope, or whose Body holds something else, is InvalidXml (never read as an empty list). No size cap here:
 * the session has already capped the response at the configured size (bytes and elements). Parsed in slices that yield to the event
 * loop: levers run in the agent's own process.
 */
export async function operationResponse(xml: string, operation: string): Promise<XmlNode> {
  const body = await responseBodyAsync(xml, operation, { maxBytes: Number.POSITIVE_INFINITY });
  if (body.local !== `${operation}Response`) {
    throw new CamwardenError(ErrorCode.InvalidXml, `${operation}: expected ${operation}Response, got <${body.name}>`);
  }
  return body;
}
