/**
 * The ONVIF search service of a simulated recorder (Profile G): GetRecordingSummary, FindRecordings,
 * GetRecordingSearchResults and EndSearch, answering from each source's days of footage, so a recorder with a
 * short ring buffer can be simulated.
 */
import { type DeviceModel, deviceNow, recorded } from './device-model.js';
import type { Handler } from './operations.js';
import { recordingConfigurationXml } from './recording-xml.js';
import { SoapFault } from './soap.js';
import { textOf, escapeXml as x } from './xml.js';

const DAY_MS = 86_400_000;
/** Search tokens handed out and not yet ended, per device model. */
const searches = new WeakMap<DeviceModel, Set<string>>();
let nextSearch = 1;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function earliestOf(m: DeviceModel, days: number): number {
  return deviceNow(m) - days * DAY_MS;
}

const getRecordingSummary: Handler = (m) => {
  const sources = recorded(m);
  const from = sources.length > 0 ? Math.min(...sources.map((s) => earliestOf(m, s.recordedDays))) : deviceNow(m);
  return (
    '<tse:GetRecordingSummaryResponse><tse:Summary>' +
    `<tt:DataFrom>${iso(from)}</tt:DataFrom><tt:DataUntil>${iso(deviceNow(m))}</tt:DataUntil>` +
    `<tt:NumberRecordings>${sources.length}</tt:NumberRecordings>` +
    '</tse:Summary></tse:GetRecordingSummaryResponse>'
  );
};

const findRecordings: Handler = (m) => {
  const open = searches.get(m) ?? new Set<string>();
  searches.set(m, open);
  const token = `RecordingSearchToken_${nextSearch++}`;
  open.add(token);
  return `<tse:FindRecordingsResponse><tse:SearchToken>${token}</tse:SearchToken></tse:FindRecordingsResponse>`;
};

function searchToken(m: DeviceModel, body: string): string {
  const token = textOf(body, 'SearchToken') ?? '';
  if (!searches.get(m)?.has(token)) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:InvalidToken',
      reason: 'Unknown search token',
    });
  }
  return token;
}

const getRecordingSearchResults: Handler = (m, r) => {
  searchToken(m, r.body);
  const now = deviceNow(m);
  const items = recorded(m).map((s) => {
    const config = recordingConfigurationXml(m, s, s.recordingToken);
    const source = /<tt:Source>.*<\/tt:Source>/.exec(config)?.[0] ?? '';
    const from = iso(earliestOf(m, s.recordedDays));
    return (
      `<tt:RecordingInformation><tt:RecordingToken>${x(s.recordingToken)}</tt:RecordingToken>${source}` +
      `<tt:EarliestRecording>${from}</tt:EarliestRecording><tt:LatestRecording>${iso(now)}</tt:LatestRecording>` +
      `<tt:Content>${x(s.name)}</tt:Content><tt:Track><tt:TrackToken>VIDEO001</tt:TrackToken><tt:TrackType>Video</tt:TrackType>` +
      `<tt:Description>Video track</tt:Description><tt:DataFrom>${from}</tt:DataFrom><tt:DataTo>${iso(now)}</tt:DataTo></tt:Track>` +
      `<tt:RecordingStatus>${m.state.recordingJobModes[s.jobToken] === 'Idle' ? 'Stopped' : 'Recording'}</tt:RecordingStatus>` +
      '</tt:RecordingInformation>'
    );
  });
  return (
    '<tse:GetRecordingSearchResultsResponse><tse:ResultList><tt:SearchState>Completed</tt:SearchState>' +
    `${items.join('')}</tse:ResultList></tse:GetRecordingSearchResultsResponse>`
  );
};

const endSearch: Handler = (m, r) => {
  searches.get(m)?.delete(searchToken(m, r.body));
  return `<tse:EndSearchResponse><tse:Endpoint>${iso(deviceNow(m))}</tse:Endpoint></tse:EndSearchResponse>`;
};

export const SEARCH_HANDLERS: Record<string, Handler> = {
  'search:GetRecordingSummary': getRecordingSummary,
  'search:FindRecordings': findRecordings,
  'search:GetRecordingSearchResults': getRecordingSearchResults,
  'search:EndSearch': endSearch,
};
