import type { FaultKind, SimDeviceSpec, SimSiteSpec } from './index.js';

/** Deterministic mixed site: count honest devices over ≥5 vendor styles on base..base+count-1. */
export function generateSite(_opts: {
  base: string;
  count: number;
  seed?: number;
  nvrs?: number;
  hostile?: FaultKind[];
  auth?: SimDeviceSpec['auth'];
  zones?: string[];
}): SimSiteSpec {
  throw new Error('simulator: not built yet');
}

/** The demo site of issue 7. */
export function demoSite(_base: string): SimSiteSpec {
  throw new Error('simulator: not built yet');
}
