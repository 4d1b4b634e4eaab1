import type { ConsentUnitKind } from './types.js';

/**
 * The kind of unit whose consent Art 10 requires around a geofence kind (`military-restricted`) or an Art 10 zone
 * (`military-restricted-adjacent`): military for both military kinds, else the organ or unit itself.
 */
export function consentUnitKind(kindOrZone: string): ConsentUnitKind | undefined {
  const kind = kindOrZone.replace(/-adjacent$/, '');
  if (kind === 'military-restricted' || kind === 'military-management') return 'military';
  if (kind === 'state-organ' || kind === 'confidential-unit') return kind;
  return undefined;
}
