/**
 * How far back a recorder's footage really goes, from its ONVIF search service: FindRecordings and
 * GetRecordingSearchResults give each recording's earliest footage, GetRecordingSummary the device's. A ring
 * buffer shorter than the legal floor shows here even when MaximumRetentionTime claims more (or PT0S, unlimited).
 */
import { escapeXml } from '../xml/index.js';
import type { CamClient } from './cam-client.js';
import { parseRecordingSearchResults, parseRecordingSummary, parseSearchToken } from './responses.js';

const SEARCH_NS = 'http://www.onvif.org/ver10/search/wsdl';
/** Result pages read before giving up on a search that never completes. */
const MAX_ROUNDS = 5;
const MAX_RESULTS = 256;

export interface EarliestRecordings {
  /** Start of the oldest footage on the device (GetRecordingSummary). */
  device?: string;
  /** Recording token → start of its oldest footage. */
  byRecording: Record<string, string>;
  /** Failures of both ways of asking (none when either answered). */
  errors: unknown[];
}

async function searchEarliest(client: CamClient): Promise<Record<string, string>> {
  const started = await client.call(
    'search',
    'FindRecordings',
    `<FindRecordings xmlns="${SEARCH_NS}"><Scope/><MaxMatches>${MAX_RESULTS}</MaxMatches><KeepAliveTime>PT10S</KeepAliveTime></FindRecordings>`,
  );
  // The token goes back into XML: a device could put markup in it (escaped below).
  const token = parseSearchToken(started.body);
  const earliest: Record<string, string> = {};
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const page = await client.call(
        'search',
        'GetRecordingSearchResults',
        `<GetRecordingSearchResults xmlns="${SEARCH_NS}"><SearchToken>${escapeXml(token)}</SearchToken>` +
          `<MaxResults>${MAX_RESULTS}</MaxResults><WaitTime>PT2S</WaitTime></GetRecordingSearchResults>`,
      );
      const results = parseRecordingSearchResults(page.body);
      for (const [recording, from] of Object.entries(results.earliest)) earliest[recording] ??= from;
      if (results.state === 'Completed') break;
    }
  } finally {
    await client
      .call(
        'search',
        'EndSearch',
        `<EndSearch xmlns="${SEARCH_NS}"><SearchToken>${escapeXml(token)}</SearchToken></EndSearch>`,
      )
      .catch(() => undefined); // the search expires on its own (KeepAliveTime)
  }
  return earliest;
}

/** Never throws: what either call learned is returned, and their failures only when both failed. */
export async function readEarliestRecordings(client: CamClient): Promise<EarliestRecordings> {
  const [summary, search] = await Promise.allSettled([
    client
      .call('search', 'GetRecordingSummary', `<GetRecordingSummary xmlns="${SEARCH_NS}"/>`)
      .then((r) => parseRecordingSummary(r.body)),
    searchEarliest(client),
  ]);
  const out: EarliestRecordings = { byRecording: {}, errors: [] };
  if (summary.status === 'fulfilled' && summary.value !== undefined) out.device = summary.value;
  if (search.status === 'fulfilled') out.byRecording = search.value;
  if (summary.status === 'rejected' && search.status === 'rejected') out.errors = [summary.reason, search.reason];
  return out;
}
