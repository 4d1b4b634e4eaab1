import type { DeviceReport } from '../../src/model/camera-records.js';
import { emptyReport } from '../../src/onvif/interrogate.js';

/** A report of a device at 127.0.0.9 that answered nothing yet (no identity: unverified); `over` fills it in. */
export function deviceReport(
  over: Partial<DeviceReport> = {},
  endpoint = 'urn:uuid:abc00000-0000-4000-8000-000000000001',
): DeviceReport {
  const r = emptyReport(
    {
      endpoint,
      address: '127.0.0.9',
      xaddrs: ['http://127.0.0.9/onvif/device_service'],
      scopes: [],
      types: [],
      via: 'unicast',
    },
    'http://127.0.0.9/onvif/device_service',
  );
  return { ...r, ...over };
}
