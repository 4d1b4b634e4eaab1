import { describe, expect, it } from 'vitest';
import { buildRecords } from '../../src/inventory/build-records.js';
import type { DeviceReport } from '../../src/model/camera-records.js';
import { toCameraPayload, toScanPayload } from '../../src/reporting/camera-payload.js';
import { toInventoryPayload } from '../../src/reporting/inventory-payload.js';
import { cameraRecordSchema, inventorySchema, scanResultSchema } from '../../src/reporting/schemas/index.js';
import { deviceReport } from '../helpers/device-report.js';

const report = (over: Partial<DeviceReport> = {}) =>
  deviceReport(over, 'urn:uuid:0f000000-0000-4000-8000-000000000013');

const ALL_FIELDS = Object.keys(cameraRecordSchema.shape).sort();

/** The published record must parse and lose nothing: no field the schema does not know. */
function expectExactlyValid(payload: unknown): void {
  const parsed = cameraRecordSchema.safeParse(payload);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  expect(parsed.data).toEqual(payload);
  expect(Object.keys(payload as object).sort()).toEqual(ALL_FIELDS);
}

describe('toCameraPayload', () => {
  it('an unverified device has every identity field, null', () => {
    const [rec] = buildRecords(report());
    expect(rec?.unverified).toBe(true);
    const payload = toCameraPayload(rec as NonNullable<typeof rec>);
    expectExactlyValid(payload);
    expect(payload).toMatchObject({
      manufacturer: null,
      model: null,
      firmware: null,
      serial: null,
      hardwareId: null,
      parent: null,
      channel: null,
      unverified: true,
      location: { geo: null },
    });
  });

  it('NVR channels carry parent and channel, and null identity; the recorder carries its own', () => {
    const records = buildRecords(
      report({
        manufacturer: 'Hikvision',
        model: 'DS-7608',
        serial: 'S1',
        firmware: 'V4',
        hardwareId: '88',
        isRecorder: true,
        videoSources: [{ token: 'CH1' }],
        recordings: [
          {
            recordingToken: 'R1',
            sourceId: 'CH1',
            name: 'Locker',
            location: '更衣室',
            description: '',
            maximumRetentionTime: 'PT720H',
          },
        ],
      }),
    );
    const [recorder, channel] = records.map(toCameraPayload);
    expectExactlyValid(recorder);
    expectExactlyValid(channel);
    expect(recorder).toMatchObject({ kind: 'recorder', manufacturer: 'Hikvision', serial: 'S1', parent: null });
    expect(channel).toMatchObject({
      kind: 'camera',
      id: '0f000000-0000-4000-8000-000000000013:CH1',
      parent: '0f000000-0000-4000-8000-000000000013',
      channel: 'CH1',
      manufacturer: null,
      serial: null,
      maximumRetentionTime: 'PT720H',
    });
  });

  it('keeps geo with its elevation unknown, and an empty endpoint is null', () => {
    const [rec] = buildRecords(
      report({ manufacturer: 'Axis', model: 'M', serial: 'S', geo: { lat: 31.2, lon: 121.4 } }),
    );
    const payload = toCameraPayload({ ...(rec as NonNullable<typeof rec>), endpoint: '' });
    expectExactlyValid(payload);
    expect(payload.location.geo).toEqual({ lat: 31.2, lon: 121.4, elevation: null });
    expect(payload.endpoint).toBeNull();
  });
});

describe('scan and inventory documents', () => {
  const cameras = buildRecords(report({ manufacturer: 'Axis', model: 'M1', serial: 'S' }));
  const scan = {
    site: 's1',
    gateway: 'gw1',
    scannedAt: new Date().toISOString(),
    policyRevision: 'r',
    cameras,
    errors: [],
  };

  it('the scan result validates', () => {
    const payload = toScanPayload(scan);
    expect(scanResultSchema.parse(payload)).toEqual(payload);
  });

  it('the inventory has its filing fields, null when unknown', () => {
    const payload = toInventoryPayload(
      scan,
      { unit: 'Unit A', location: '', retentionDays: 90, filingNumber: 'GA-1' },
      { ts: new Date().toISOString(), bootId: 'b' },
    );
    expect(inventorySchema.parse(payload)).toEqual(payload);
    expect(payload).toMatchObject({
      unit: 'Unit A',
      location: null,
      retentionDays: 90,
      filingNumber: 'GA-1',
      filingDate: null,
      goLiveDate: null,
      cameraCount: 1,
      recorderCount: 0,
      cameraTypes: { 'Axis M1': 1 },
    });
  });
});
