/**
 * The recording service of a simulated recorder (Profile G): recordings and their configuration, and recording
 * jobs with their modes and state (the recording-job-idle lever's target).
 */
import { type DeviceModel, recorded } from './device-model.js';
import type { Handler } from './operations.js';
import { recordingConfigurationXml } from './recording-xml.js';
import { FAULTS, SoapFault } from './soap.js';
import { escapeXml, textOf } from './xml.js';

const x = escapeXml;

const getRecordings: Handler = (m) => {
  const items = recorded(m).map(
    (s) =>
      `<trc:RecordingItem><tt:RecordingToken>${x(s.recordingToken)}</tt:RecordingToken><tt:Configuration>${recordingConfigurationXml(m, s, s.recordingToken)}</tt:Configuration>` +
      '<tt:Tracks>' +
      (['Video', 'Audio', 'Metadata'] as const)
        .map(
          (t) =>
            `<tt:Track><tt:TrackToken>${t === 'Metadata' ? 'META' : t.toUpperCase()}001</tt:TrackToken><tt:Configuration><tt:TrackType>${t}</tt:TrackType><tt:Description>${t} track</tt:Description></tt:Configuration></tt:Track>`,
        )
        .join('') +
      '</tt:Tracks></trc:RecordingItem>',
  );
  return `<trc:GetRecordingsResponse>${items.join('')}</trc:GetRecordingsResponse>`;
};

function recordingByToken(m: DeviceModel, body: string) {
  const token = textOf(body, 'RecordingToken') ?? '';
  const s = recorded(m).find((r) => r.recordingToken === token);
  if (!s) throw new SoapFault(FAULTS.noRecording);
  return s;
}

const getRecordingConfiguration: Handler = (m, r) => {
  const s = recordingByToken(m, r.body);
  return `<trc:GetRecordingConfigurationResponse><trc:RecordingConfiguration>${recordingConfigurationXml(m, s, s.recordingToken)}</trc:RecordingConfiguration></trc:GetRecordingConfigurationResponse>`;
};

const setRecordingConfiguration: Handler = (m, r) => {
  const s = recordingByToken(m, r.body);
  const retention = textOf(r.body, 'MaximumRetentionTime');
  if (retention !== undefined) {
    if (!/^-?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(retention)) {
      throw new SoapFault({
        code: 'Sender',
        subcode: 'ter:InvalidArgVal',
        subsubcode: 'ter:BadConfiguration',
        reason: 'Bad duration',
      });
    }
    m.state.retention[s.recordingToken] = retention;
  }
  return '<trc:SetRecordingConfigurationResponse></trc:SetRecordingConfigurationResponse>';
};

const getRecordingJobs: Handler = (m) => {
  const items = recorded(m).map(
    (s) =>
      `<trc:JobItem><tt:JobToken>${x(s.jobToken)}</tt:JobToken><tt:JobConfiguration><tt:RecordingToken>${x(s.recordingToken)}</tt:RecordingToken>` +
      `<tt:Mode>${x(m.state.recordingJobModes[s.jobToken] ?? 'Active')}</tt:Mode><tt:Priority>1</tt:Priority>` +
      `<tt:Source><tt:SourceToken Type="http://www.onvif.org/ver10/schema/Profile"><tt:Token>${x(m.style.profileToken(s.index, 'main'))}</tt:Token></tt:SourceToken>` +
      '<tt:AutoCreateReceiver>false</tt:AutoCreateReceiver><tt:Tracks><tt:SourceTag>VIDEO001</tt:SourceTag><tt:Destination>VIDEO001</tt:Destination></tt:Tracks></tt:Source>' +
      '</tt:JobConfiguration></trc:JobItem>',
  );
  return `<trc:GetRecordingJobsResponse>${items.join('')}</trc:GetRecordingJobsResponse>`;
};

const setRecordingJobMode: Handler = (m, r) => {
  const job = textOf(r.body, 'JobToken') ?? '';
  const mode = textOf(r.body, 'Mode') ?? '';
  if (!(job in m.state.recordingJobModes)) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:NoRecordingJob',
      reason: 'No such recording job',
    });
  }
  if (mode !== 'Active' && mode !== 'Idle') {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:BadMode',
      reason: 'Mode must be Active or Idle',
    });
  }
  m.state.recordingJobModes[job] = mode;
  return '<trc:SetRecordingJobModeResponse></trc:SetRecordingJobModeResponse>';
};

const getRecordingJobState: Handler = (m, r) => {
  const job = textOf(r.body, 'JobToken') ?? '';
  const mode = m.state.recordingJobModes[job];
  if (!mode) {
    throw new SoapFault({
      code: 'Sender',
      subcode: 'ter:InvalidArgVal',
      subsubcode: 'ter:NoRecordingJob',
      reason: 'No such recording job',
    });
  }
  const s = recorded(m).find((q) => q.jobToken === job);
  return (
    `<trc:GetRecordingJobStateResponse><trc:State><tt:RecordingToken>${x(s?.recordingToken ?? '')}</tt:RecordingToken>` +
    `<tt:State>${mode}</tt:State></trc:State></trc:GetRecordingJobStateResponse>`
  );
};

/** `<service>:<operation>` → handler, merged into the device's operation table (operations.ts). */
export const RECORDING_HANDLERS: Record<string, Handler> = {
  'recording:GetRecordings': getRecordings,
  'recording:GetRecordingConfiguration': getRecordingConfiguration,
  'recording:SetRecordingConfiguration': setRecordingConfiguration,
  'recording:GetRecordingJobs': getRecordingJobs,
  'recording:SetRecordingJobMode': setRecordingJobMode,
  'recording:GetRecordingJobState': getRecordingJobState,
};
