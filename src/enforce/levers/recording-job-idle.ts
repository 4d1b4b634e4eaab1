import type { OnvifSession } from '../../onvif/session.js';
import { attr, child, childrenNamed, escapeXml, path, textOf } from '../../xml/index.js';
import { NS } from '../../xml/namespaces.js';
import { operationResponse } from '../soap-xml.js';
import { asArray, type Lever } from './lever.js';

interface RecordingJob {
  token: string;
  recordingToken: string | undefined;
  mode: string;
  sourceTokens: string[];
}

async function getRecordingJobs(session: OnvifSession): Promise<RecordingJob[]> {
  const xml = await session.call('recording', `<trc:GetRecordingJobs xmlns:trc="${NS.recording}"/>`);
  const response = await operationResponse(xml, 'GetRecordingJobs');
  return childrenNamed(response, 'JobItem').flatMap((item) => {
    const token = textOf(child(item, 'JobToken'));
    const config = child(item, 'JobConfiguration');
    if (!token) return [];
    const sourceTokens = childrenNamed(config, 'Source').flatMap((s) => {
      const st = child(s, 'SourceToken');
      const t = textOf(child(st, 'Token')) ?? textOf(st);
      return t ? [t] : [];
    });
    return [
      {
        token,
        recordingToken: textOf(child(config, 'RecordingToken')),
        mode: textOf(child(config, 'Mode')) ?? 'Active',
        sourceTokens,
      },
    ];
  });
}

/** Recording tokens whose source is this channel (GetRecordings: Source/SourceId). */
async function recordingsOfChannel(session: OnvifSession, channel: string): Promise<Set<string>> {
  const xml = await session.call('recording', `<trc:GetRecordings xmlns:trc="${NS.recording}"/>`);
  const response = await operationResponse(xml, 'GetRecordings');
  const out = new Set<string>();
  for (const item of childrenNamed(response, 'RecordingItem')) {
    const token = textOf(child(item, 'RecordingToken'));
    const source = path(item, 'Configuration', 'Source');
    if (token && (textOf(child(source, 'SourceId')) === channel || attr(item, 'token') === channel)) out.add(token);
  }
  return out;
}

function setRecordingJobModeBody(jobToken: string, mode: string): string {
  return (
    `<trc:SetRecordingJobMode xmlns:trc="${NS.recording}"><trc:JobToken>${escapeXml(jobToken)}</trc:JobToken>` +
    `<trc:Mode>${escapeXml(mode)}</trc:Mode></trc:SetRecordingJobMode>`
  );
}

/**
 * Recording jobs of the channel (all jobs when the whole recorder is blocked) set to Idle; their previous modes
 * are stored and put back on unblock. A job matches a channel by its RecordingToken, its source token, or the
 * recording whose SourceId is the channel.
 */
export const recordingJobIdleLever: Lever = {
  async apply(session, spec, ctx) {
    const jobs = await getRecordingJobs(session);
    let targets = jobs;
    if (spec.channel) {
      const channel = spec.channel;
      targets = jobs.filter((j) => j.recordingToken === channel || j.sourceTokens.includes(channel));
      if (targets.length === 0) {
        const recordings = await recordingsOfChannel(session, channel);
        targets = jobs.filter((j) => j.recordingToken !== undefined && recordings.has(j.recordingToken));
      }
    }
    // A job found Idle after an interrupted attempt was probably idled by us: its saved mode wins.
    const saved = new Map(
      asArray(ctx.pendingPrior?.jobs).flatMap((j) => {
        const { token, mode } = j as { token?: unknown; mode?: unknown };
        return typeof token === 'string' && typeof mode === 'string' ? [[token, mode] as const] : [];
      }),
    );
    const prior = { jobs: targets.map((j) => ({ token: j.token, mode: saved.get(j.token) ?? j.mode })) };
    await ctx.savePrior(prior);
    for (const job of targets) {
      if (job.mode !== 'Idle') await session.call('recording', setRecordingJobModeBody(job.token, 'Idle'));
    }
    return prior;
  },
  async revert(session, _spec, prior) {
    for (const j of asArray(prior.jobs)) {
      const { token, mode } = j as { token?: unknown; mode?: unknown };
      if (typeof token === 'string' && typeof mode === 'string' && mode !== 'Idle') {
        await session.call('recording', setRecordingJobModeBody(token, mode));
      }
    }
  },
};
