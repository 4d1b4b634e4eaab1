import { CamwardenError, ErrorCode } from '../util/errors.js';
import { CamClient } from './cam-client.js';
import { parseCapabilities, parseServices } from './responses.js';
import type { OnvifCredentials, OnvifService, OnvifSession, OpenSession } from './session.js';

export interface SessionLimits {
  callTimeoutMs: number;
  maxResponseBytes: number;
}

const DEVICE_NS = 'http://www.onvif.org/ver10/device/wsdl';

function operationOf(bodyXml: string): string {
  const m = /^\s*<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(bodyXml);
  if (!m?.[1]) throw new CamwardenError(ErrorCode.InvalidRequest, 'SOAP body must start with an element');
  return m[1];
}

/**
 * OpenSession for enforce/ and retention/: learns the clock offset and the service URLs once, then sends raw bodies
 * with the package's auth (WS-UsernameToken, Digest), a per-call timeout, the size cap and DOCTYPE refusal.
 */
export function createOpenSession(limits: SessionLimits): OpenSession {
  return async (xaddr: string, credentials: OnvifCredentials | undefined): Promise<OnvifSession> => {
    let url: URL;
    try {
      url = new URL(xaddr);
    } catch {
      throw new CamwardenError(ErrorCode.InvalidRequest, `not a device service URL: ${xaddr}`);
    }
    const client = new CamClient({ xaddr: url, credentials, ...limits });
    try {
      await client.getSystemDateAndTime().catch((err: unknown) => {
        if (err instanceof CamwardenError && (err.code === ErrorCode.Timeout || err.code === ErrorCode.Unreachable)) {
          throw err;
        }
      });
      try {
        const r = await client.call(
          'device',
          'GetServices',
          `<GetServices xmlns="${DEVICE_NS}"><IncludeCapability>false</IncludeCapability></GetServices>`,
        );
        const { geoLocation: _g, ...urls } = parseServices(r.body);
        client.setServiceUrls(urls);
      } catch {
        try {
          const r = await client.call(
            'device',
            'GetCapabilities',
            `<GetCapabilities xmlns="${DEVICE_NS}"><Category>All</Category></GetCapabilities>`,
          );
          const { geoLocation: _g, ...urls } = parseCapabilities(r.body);
          client.setServiceUrls(urls);
        } catch (err) {
          // Without a service list the device service still works; only a dead device fails the session.
          if (err instanceof CamwardenError && (err.code === ErrorCode.Timeout || err.code === ErrorCode.Unreachable)) {
            throw err;
          }
        }
      }
    } catch (err) {
      client.close();
      throw err;
    }
    return {
      xaddr: url.href,
      async call(service: OnvifService, bodyXml: string): Promise<string> {
        const reply = await client.call(service, operationOf(bodyXml), bodyXml);
        return reply.xml;
      },
      close(): void {
        client.close();
      },
    };
  };
}
