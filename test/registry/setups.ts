import { mosquittoAvailable, postgresAvailable, requireCapability } from '../helpers/capabilities.js';

export type RegistrySetup = { store: 'embedded' | 'postgres'; broker: 'embedded' | 'mosquitto' };

export const hasMosquitto = requireCapability('mosquitto', mosquittoAvailable());
export const hasPostgres = requireCapability('postgres', postgresAvailable());

/** The broker × store pairs a registry test runs on: aedes + PGlite always, mosquitto and PostgreSQL where present. */
export const registrySetups: RegistrySetup[] = [
  { store: 'embedded', broker: 'embedded' },
  ...(hasMosquitto ? [{ store: 'embedded' as const, broker: 'mosquitto' as const }] : []),
  ...(hasMosquitto && hasPostgres ? [{ store: 'postgres' as const, broker: 'mosquitto' as const }] : []),
];
