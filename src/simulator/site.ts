import { SimDevice } from './device.js';
import { buildModel } from './device-model.js';
import type { RecordedCall, SimSiteSpec, SimulatedSite } from './index.js';
import { parseSiteSpec } from './spec-schema.js';

const DEFAULT_MAX_CALLS = 20_000;

/**
 * Starts every device of the site (HTTP + WS-Discovery each). If any fails to start, the ones already
 * started are stopped again and the error names the device. stop() sends Bye where announcing and frees every port.
 */
export async function startSimulatedSite(input: SimSiteSpec): Promise<SimulatedSite> {
  const spec = parseSiteSpec(input);
  const calls: RecordedCall[] = [];
  const max = spec.maxRecordedCalls ?? DEFAULT_MAX_CALLS;
  const record = (c: RecordedCall): void => {
    calls.push(c);
    if (calls.length > max) calls.splice(0, calls.length - max);
  };
  // Keep the caller's objects as `spec` (tests look devices up by their own spec objects). An impostor gets a copy
  // with its victim's EndpointReference; an extra address runs as a device of its own, after its primary.
  const devices = input.devices.flatMap((d) => {
    const victim = d.impersonate === undefined ? undefined : input.devices.find((v) => v.name === d.impersonate);
    const primary = new SimDevice(victim ? { ...d, endpoint: buildModel(victim).endpoint } : d, { record });
    // A host with several addresses: one more device per address, with the primary's EndpointReference.
    const { extraAddresses, ...rest } = d;
    const aliases = (extraAddresses ?? []).map(
      (address) =>
        new SimDevice(
          { ...rest, address, endpoint: primary.model.endpoint, name: `${primary.model.name}@${address}` },
          { record },
        ),
    );
    return [primary, ...aliases];
  });
  const started: SimDevice[] = [];
  let failure: unknown;
  // Bounded parallel start: hundreds of devices start quickly without a burst of thousands of binds.
  const queue = [...devices];
  const workers = Array.from({ length: Math.min(32, queue.length) }, async () => {
    for (let d = queue.shift(); d && failure === undefined; d = queue.shift()) {
      started.push(d);
      try {
        await d.start();
      } catch (err) {
        failure ??= err;
      }
    }
  });
  await Promise.all(workers);
  if (failure !== undefined) {
    await Promise.all(started.map((d) => d.stop()));
    throw failure;
  }
  let stopping: Promise<void> | undefined;
  return {
    devices: devices.map((d) => d.running),
    calls,
    stop() {
      stopping ??= Promise.all(devices.map((d) => d.stop())).then(() => undefined);
      return stopping;
    },
  };
}
