/**
 * How far back a recorder's footage really goes, from its ONVIF search service: FindRecordings and
 * GetRecordingSearchResults give each recording's earliest footage, GetRecordingSummary the device's. A ring
 * buffer shorter than the legal floor shows here even when MaximumRetentionTime claims more (or PT0S, unlimited).
 */

import { escapeXml } from '../xml/index.js';
import { NS } from '../xml/namespaces.js';
import type { CamClient } from './cam-client.js';
import { parseRecordingSearchResults, parseRecordingSummary, parseSearchToken } from './responses.js';

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
    `<FindRecordings xmlns="${NS.search}"><Scope/><MaxMatches>${MAX_RESULTS}</MaxMatches><KeepAliveTime>PT10S</KeepAliveTime></FindRecordings>`,
  );
  // The token goes back into XML: a device could put markup in it (escaped below).
  const token = parseSearchToken(started.body);
  const earliest: Record<string, string> = {};
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const page = await client.call(
        'search',
        'GetRecordingSearchResults',
        `<GetRecordingSearchResults xmlns="${NS.search}"><SearchToken>${escapeXml(token)}</SearchToken>` +
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
        `<EndSearch xmlns="${NS.search}"><SearchToken>${escapeXml(token)}</SearchToken></EndSearch>`,
      )
      .catch(() => undefined); // the search expires on its own (KeepAliveTime)
  }
  return earliest;
}

/**
 * Never throws: what either call learned is returned, and their failures only when both failed. The search (three
 * calls or more) is made only where its per-recording answer is needed: for a device with several recordings (a
 * recorder's channels each get their own), or when the summary did not say.
 */
export async function readEarliestRecordings(
  client: CamClient,
  opts: { perRecording: boolean } = { perRecording: true },
): Promise<EarliestRecordings> {
  const summarise = client
    .call('search', 'GetRecordingSummary', `<GetRecordingSummary xmlns="${NS.search}"/>`)
    .then((r) => parseRecordingSummary(r.body));
  const out: EarliestRecordings = { byRecording: {}, errors: [] };
  if (!opts.perRecording) {
    const [summary] = await Promise.allSettled([summarise]);
    if (summary.status === 'fulfilled' && summary.value !== undefined) {
      out.device = summary.value;
      return out;
    }
    const [search] = await Promise.allSettled([searchEarliest(client)]);
    if (search.status === 'fulfilled') out.byRecording = search.value;
    else if (summary.status === 'rejected') out.errors = [summary.reason, search.reason];
    return out;
  }
  const [summary, search] = await Promise.allSettled([summarise, searchEarliest(client)]);
  if (summary.status === 'fulfilled' && summary.value !== undefined) out.device = summary.value;
  if (search.status === 'fulfilled') out.byRecording = search.value;
  if (summary.status === 'rejected' && search.status === 'rejected') out.errors = [summary.reason, search.reason];
  return out;
}
