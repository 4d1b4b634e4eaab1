import type { SessionLimits } from './open-session.js';
import type { OpenSession } from './session.js';

/**
 * createOpenSession, loaded the first time a session is opened: the onvif package and its XML stack stay out of a
 * daemon that only firewalls (scans run in their own process, see inventory/isolated-scan.ts).
 */
export function lazyOpenSession(limits: SessionLimits): OpenSession {
  let open: Promise<OpenSession> | undefined;
  return async (xaddr, credentials) => {
    open ??= import('./open-session.js').then((m) => m.createOpenSession(limits));
    return (await open)(xaddr, credentials);
  };
}
