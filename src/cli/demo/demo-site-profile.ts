import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BUNDLED_PROFILES_DIR } from '../../config/load-config.js';

/** Camera ids of the demo site by the simulator's device names (`nvr:VideoSource_1` for a channel). */
export type DemoIds = (name: string) => string | undefined;

/**
 * The demo's device-profiles: the shipped ones plus a site profile with the records a real site keeps (system
 * classes, a police filing, signage, one Art 10 consent), so the demo shows lawful cameras allowed next to the
 * blocked and flagged ones. Some records are left out on purpose: the car park has no sign and the perimeter
 * camera no consent, and both stay flagged with the article they miss.
 */
export async function writeDemoProfiles(dir: string, idOf: DemoIds, today: Date): Promise<string> {
  await cp(BUNDLED_PROFILES_DIR, dir, { recursive: true });
  const ids = (...names: string[]) => names.map(idOf).filter((id): id is string => id !== undefined);
  const assign = (name: string, systemClass: string) => {
    const id = idOf(name);
    return id === undefined ? [] : [{ match: { id }, systemClass }];
  };
  const date = (daysAgo: number) => new Date(today.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const site = {
    schemaVersion: 1,
    policyPack: 'cn-2025',
    retention: { zoneDays: {}, siteOverlays: [] },
    cameras: [
      ...assign('lobby', 'art7-operator'),
      ...assign('main-entrance', 'art9-other-public'),
      ...assign('car-park', 'art7-gov'),
      ...assign('loading-dock', 'art33-non-public'),
      ...assign('gate-west', 'art9-other-public'),
      ...assign('nvr:VideoSource_1', 'art9-other-public'),
    ],
    consents: [
      {
        id: 'demo-consent-1',
        issuingUnit: 'District government office (demo)',
        unitKind: 'state-organ',
        date: date(60),
        cameras: ids('gate-west'),
      },
    ],
    filings: [{ number: 'DEMO-2026-0042', date: date(90), goLiveDate: date(100), cameras: [] }],
    signage: [
      {
        id: 'demo-signs',
        cameras: ids('lobby', 'main-entrance', 'gate-west', 'nvr:VideoSource_1'),
        evidence: 'demo: photos on file',
      },
    ],
    geofences: [],
    legalHolds: [],
    recorderHooks: {},
    levers: {},
  };
  const header = '# Written by `camwarden demo` for its simulated site: the records a real site keeps.\n';
  await writeFile(join(dir, 'site', 'site.yaml'), header + stringify(site));
  return dir;
}
