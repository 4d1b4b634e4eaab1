import type { SimSiteSpec, SimulatedSite } from './index.js';

export async function startSimulatedSite(_spec: SimSiteSpec): Promise<SimulatedSite> {
  throw new Error('simulator: not built yet');
}
