import { CamwardenError, ErrorCode } from '../util/errors.js';
import { NS } from '../xml/namespaces.js';
import type { CamClient } from './cam-client.js';
import { parseCapabilities, parseServices, type ServiceMap } from './responses.js';

/** Nothing answers there at all (no reply in time, refused, unreachable): further calls would only wait too. */
export function answersNothing(err: unknown): boolean {
  return err instanceof CamwardenError && (err.code === ErrorCode.Timeout || err.code === ErrorCode.Unreachable);
}

export type ServiceMapResult = { map: ServiceMap; errors: [] } | { map: undefined; errors: unknown[] };

/**
 * The device's service URLs from GetServices, or from GetCapabilities where GetServices fails (older Profile S
 * devices). Both failures are returned, for the caller to report or to judge the device dead.
 */
export async function readServiceMap(client: CamClient, includeCapability: boolean): Promise<ServiceMapResult> {
  try {
    const r = await client.call(
      'device',
      'GetServices',
      `<GetServices xmlns="${NS.device}"><IncludeCapability>${includeCapability}</IncludeCapability></GetServices>`,
    );
    return { map: parseServices(r.body), errors: [] };
  } catch (servicesErr) {
    try {
      const r = await client.call(
        'device',
        'GetCapabilities',
        `<GetCapabilities xmlns="${NS.device}"><Category>All</Category></GetCapabilities>`,
      );
      return { map: parseCapabilities(r.body), errors: [] };
    } catch (capsErr) {
      return { map: undefined, errors: [servicesErr, capsErr] };
    }
  }
}
