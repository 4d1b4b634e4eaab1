/**
 * Retention truth: how far back a recorder's footage goes, read from its search service (real captures, and the
 * simulator over real SOAP), and the Art 17 shortfall it shows for an NVR with a short ring buffer.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecords } from '../../src/inventory/build-records.js';
import { interrogateDevice } from '../../src/onvif/interrogate.js';
import {
  parseRecordingSearchResults,
  parseRecordingSummary,
  parseSearchToken,
  responseBody,
} from '../../src/onvif/responses.js';
import { evaluateRecords } from '../../src/policy/evaluate.js';
import { loadProfileSet } from '../../src/profiles/index.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { HTTP_PORT, randomBlock } from '../simulator/helpers.js';
import { fixture } from './fixtures.js';

const DAY = 86_400_000;

describe('search service answers of real devices', () => {
  it('GetRecordingSummary DataFrom, as ISO-8601 UTC', () => {
    const body = responseBody(fixture('hammeraj_onvif/get_recording_summary__success.xml'), 'GetRecordingSummary');
    expect(parseRecordingSummary(body)).toBe('1970-01-01T00:00:00.000Z');
  });

  it('FindRecordings token and GetRecordingSearchResults earliest recording per recording token', () => {
    const found = responseBody(fixture('hammeraj_onvif/find_recordings_success.xml'), 'FindRecordings');
    expect(parseSearchToken(found)).toBe('RecordingSearchToken_1');
    const page = responseBody(
      fixture('hammeraj_onvif/get_recording_search_results_success.xml'),
      'GetRecordingSearchResults',
    );
    expect(parseRecordingSearchResults(page)).toEqual({
      state: 'Completed',
      earliest: { OnvifRecordingToken_1: '1970-01-01T00:03:15.000Z' },
    });
  });

  it('an answer without a token or with garbage times yields nothing usable, never a crash', () => {
    const envelope = (inner: string) =>
      `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${inner}</s:Body></s:Envelope>`;
    expect(() => parseSearchToken(responseBody(envelope('<FindRecordingsResponse/>'), 'FindRecordings'))).toThrow(
      /SearchToken/,
    );
    const junk = responseBody(
      envelope(
        '<GetRecordingSearchResultsResponse><ResultList><SearchState>Searching</SearchState><RecordingInformation>' +
          '<RecordingToken>R1</RecordingToken><EarliestRecording>yesterday</EarliestRecording></RecordingInformation>' +
          '</ResultList></GetRecordingSearchResultsResponse>',
      ),
      'GetRecordingSearchResults',
    );
    expect(parseRecordingSearchResults(junk)).toEqual({ state: 'Searching', earliest: {} });
  });
});

describe('an NVR whose ring buffer holds less than the floor (simulator, real SOAP)', () => {
  const ip = randomBlock();
  let site: SimulatedSite;
  beforeAll(async () => {
    site = await startSimulatedSite({
      devices: [
        {
          name: 'short-ring',
          vendor: 'hikvision',
          kind: 'nvr',
          address: ip(7),
          httpPort: HTTP_PORT,
          auth: { mode: 'both', username: 'admin', password: 'pw' },
          channels: [
            { token: 'VS1', name: '商场出口', maximumRetentionTime: 'PT0S', recordedDays: 7 },
            { token: 'VS2', name: '商场入口', maximumRetentionTime: 'PT0S', recordedDays: 45 },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('reads each channel’s earliest recording and flags the short one with Art 17', async () => {
    const device = site.devices[0];
    if (!device) throw new Error('no device');
    const report = await interrogateDevice(
      {
        endpoint: device.endpoint,
        address: device.address,
        xaddrs: [`http://${device.address}${HTTP_PORT === 80 ? '' : `:${HTTP_PORT}`}/onvif/device_service`],
        scopes: [],
        types: [],
        via: 'unicast',
      },
      {
        credentials: { username: 'admin', password: 'pw' },
        callTimeoutMs: 3000,
        deviceTimeoutMs: 15000,
        maxResponseBytes: 2 * 1024 * 1024,
        maxClockSkewS: 300,
      },
    );
    expect(report.errors).toEqual([]);
    const now = Date.now();
    const held = (iso: string | undefined) => Math.round((now - Date.parse(iso ?? '')) / DAY);
    expect(report.recordings.map((r) => held(r.earliestRecording))).toEqual([7, 45]);
    expect(held(report.earliestRecording)).toBe(45);

    const records = buildRecords(report);
    const channels = records.filter((r) => r.parent !== undefined);
    expect(channels.map((c) => held(c.earliestRecording))).toEqual([7, 45]);
    const set = await loadProfileSet(resolve(import.meta.dirname, '../../device-profiles'));
    const decided = evaluateRecords(records, set, { now: new Date(now) });
    const shortfall = (id: string) =>
      decided.find((r) => r.id === id)?.decision.reasons.filter((x) => x.code === 'retention-below-minimum');
    expect(shortfall(channels[0]?.id ?? '')).toEqual([
      expect.objectContaining({ article: 'Article 17', message: expect.stringContaining('7 days') }),
    ]);
    expect(shortfall(channels[1]?.id ?? '')).toEqual([]);
    expect(decided.find((r) => r.id === channels[0]?.id)?.location.zone).toBe('crowded-place');
  });
});
