import { responseBodyAsync } from '../onvif/responses.js';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import type { XmlNode } from '../xml/index.js';

/**
 * The SOAP XML enforcement exchanges with devices: the namespaces of the bodies it builds and the answers it reads,
 * parsed like every other untrusted XML in the project (src/xml: strict, DOCTYPE refused, depth-capped).
 */
export const NS = {
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  trc: 'http://www.onvif.org/ver10/recording/wsdl',
} as const;

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
