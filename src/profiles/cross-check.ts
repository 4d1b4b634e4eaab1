/**
 * Checks of the site profile against the policy pack it runs under. The schemas alone accept any zone or overlay
 * name, and the engine reads a name the pack does not know as `unknown` (a zone) or as nothing (an overlay): a
 * typo would quietly turn a toilet camera's block into a review flag, or an anti-terror key target's 90-day
 * floor into 30. So every such name must be one the pack defines.
 */

/** The parts of a pack these checks read. */
export interface PackVocabulary {
  zones: Record<string, unknown>;
  retention: { overlayMinimumDays: Record<string, number> };
}

/** The parts of a site file these checks read. */
export interface SiteVocabularyUse {
  cameras: ReadonlyArray<{ zone?: string | undefined; overlays: readonly string[] }>;
  retention: { zoneDays: Record<string, number>; siteOverlays: readonly string[] };
}

function listOf(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : '(none)';
}

/** One `file: path.to.field: message` line per zone or overlay name the pack does not define. */
export function crossCheckSite(file: string, site: SiteVocabularyUse, pack: PackVocabulary, packId: string): string[] {
  const zones = new Set([...Object.keys(pack.zones), 'unknown']);
  const overlays = Object.keys(pack.retention.overlayMinimumDays).sort();
  const zoneProblem = (path: string, zone: string) =>
    `${file}: ${path}: zone "${zone}" is not defined by policy pack ${packId} (see packs/${packId}.yaml zones)`;
  const overlayProblem = (path: string, overlay: string) =>
    `${file}: ${path}: overlay "${overlay}" is not defined by policy pack ${packId}; known: ${listOf(overlays)}`;
  const problems: string[] = [];
  site.cameras.forEach((camera, i) => {
    if (camera.zone !== undefined && !zones.has(camera.zone))
      problems.push(zoneProblem(`cameras.${i}.zone`, camera.zone));
    camera.overlays.forEach((o, j) => {
      if (!(o in pack.retention.overlayMinimumDays)) problems.push(overlayProblem(`cameras.${i}.overlays.${j}`, o));
    });
  });
  for (const zone of Object.keys(site.retention.zoneDays)) {
    if (!zones.has(zone)) problems.push(zoneProblem(`retention.zoneDays.${zone}`, zone));
  }
  site.retention.siteOverlays.forEach((o, j) => {
    if (!(o in pack.retention.overlayMinimumDays)) problems.push(overlayProblem(`retention.siteOverlays.${j}`, o));
  });
  return problems;
}
