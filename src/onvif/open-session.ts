import { CamwardenError, ErrorCode } from '../util/errors.js';
import { CamClient } from './cam-client.js';
import { answersNothing, readServiceMap } from './service-map.js';
import type { OnvifCredentials, OnvifService, OnvifSession, OpenSession } from './session.js';

export interface SessionLimits {
  callTimeoutMs: number;
  maxResponseBytes: number;
  maxResponseElements?: number;
}

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
        if (answersNothing(err)) throw err;
      });
      // Without a service list the device service still works; only a dead device fails the session.
      const { map, errors } = await readServiceMap(client, false);
      const last = errors.at(-1); // GetCapabilities' failure: the device's latest word
      if (answersNothing(last)) throw last;
      if (map) {
        const { geoLocation: _g, ipv6: _v6, ...urls } = map;
        client.setServiceUrls(urls);
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
