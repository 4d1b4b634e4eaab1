import type { IngestItem } from './ingest-item.js';

/** Helpers every store of a batch shares: rows go in as one JSON parameter, keyed per gateway. */

/** The ingest item of one kind. */
export type ItemOf<K extends IngestItem['kind']> = Extract<IngestItem, { kind: K }>;

export const json = (value: unknown): string => JSON.stringify(value);

/** A map key for one gateway (newline cannot occur in a topic level). */
export const gwKey = (site: string, gateway: string): string => `${site}\n${gateway}`;
