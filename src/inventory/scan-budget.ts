import type { Config } from '../config/schema.js';

export interface ScanBudget {
  scanTimeoutMs: number;
  discoveryTimeoutMs: number;
  deviceTimeoutMs: number;
  callTimeoutMs: number;
}

/** Splits the scan's time limit between discovery and interrogation so the whole scan ends within it. */
export function scanBudget(config: Config, timeoutMs: number | undefined): ScanBudget {
  const d = config.discovery.timeoutMs;
  const dev = config.onvif.deviceTimeoutMs;
  const call = config.onvif.callTimeoutMs;
  if (timeoutMs === undefined) {
    return { scanTimeoutMs: d + dev + 5000, discoveryTimeoutMs: d, deviceTimeoutMs: dev, callTimeoutMs: call };
  }
  const discoveryTimeoutMs = Math.max(200, Math.min(d, Math.floor(timeoutMs * 0.4)));
  const deviceTimeoutMs = Math.max(200, Math.min(dev, timeoutMs - 300));
  return {
    scanTimeoutMs: timeoutMs,
    discoveryTimeoutMs,
    deviceTimeoutMs,
    callTimeoutMs: Math.max(100, Math.min(call, Math.floor(deviceTimeoutMs / 2))),
  };
}
