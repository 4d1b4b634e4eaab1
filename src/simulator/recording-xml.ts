/** XML of a simulated device's streams and recordings, shared by the recording and search services. */
import type { DeviceModel } from './device-model.js';
import { escapeXml as x } from './xml.js';

export function rtspUrl(m: DeviceModel, profile: string): string {
  return `rtsp://${m.address}:${m.state.rtspPort}/Streaming/${encodeURIComponent(profile)}`;
}

/** tt:RecordingConfiguration content of one source: its Source (name, location, description), Content, retention. */
export function recordingConfigurationXml(m: DeviceModel, s: DeviceModel['sources'][number], token: string): string {
  return (
    `<tt:Source><tt:SourceId>${x(s.token)}</tt:SourceId><tt:Name>${x(s.name)}</tt:Name><tt:Location>${x(s.location)}</tt:Location>` +
    `<tt:Description>${x(s.description)}</tt:Description><tt:Address>${x(rtspUrl(m, m.style.profileToken(s.index, 'main')))}</tt:Address></tt:Source>` +
    `<tt:Content>${x(s.name)}</tt:Content><tt:MaximumRetentionTime>${x(m.state.retention[token] ?? 'PT0S')}</tt:MaximumRetentionTime>`
  );
}
