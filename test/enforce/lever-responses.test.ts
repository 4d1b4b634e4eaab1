import { describe, expect, it } from 'vitest';
import type { LeverContext } from '../../src/enforce/levers/lever.js';
import { privacyMaskLever } from '../../src/enforce/levers/privacy-mask.js';
import { recordingJobIdleLever } from '../../src/enforce/levers/recording-job-idle.js';
import type { ActionSpec } from '../../src/enforce/types.js';
import type { OnvifSession } from '../../src/onvif/session.js';
import { CamwardenError, ErrorCode } from '../../src/util/errors.js';

/** How the levers read device answers: as XML (references decoded), and only the answer to what they asked. */

const envelope = (body: string) =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tr2="http://www.onvif.org/ver20/media/wsdl" xmlns:trc="http://www.onvif.org/ver10/recording/wsdl"><s:Body>${body}</s:Body></s:Envelope>`;

/** A session answering each operation with canned XML, recording every body sent. */
function stubSession(answers: Record<string, string>): { session: OnvifSession; sent: string[] } {
  const sent: string[] = [];
  const session: OnvifSession = {
    xaddr: 'http://192.0.2.10/onvif/device_service',
    async call(_service, bodyXml) {
      sent.push(bodyXml);
      const operation = bodyXml.match(/^<\w+:(\w+)/)?.[1] ?? '';
      const answer = answers[operation];
      if (answer === undefined) throw new CamwardenError(ErrorCode.SoapFault, `${operation}: not stubbed`);
      return answer;
    },
    close() {},
  };
  return { session, sent };
}

const ctx = (): LeverContext => ({ pendingPrior: undefined, savePrior: async () => undefined });
const spec = (kind: ActionSpec['kind']): ActionSpec => ({ key: `${kind}:c1`, kind, cameras: ['c1'], cameraId: 'c1' });

describe('lever answers are read as XML', () => {
  it('tokens with character and entity references are decoded, so the device gets its own token back', async () => {
    const { session, sent } = stubSession({
      GetVideoSourceConfigurations: envelope(
        '<tr2:GetVideoSourceConfigurationsResponse><tr2:Configurations token="VSC&amp;1"><tt:SourceToken>VS1</tt:SourceToken></tr2:Configurations></tr2:GetVideoSourceConfigurationsResponse>',
      ),
      CreateMask: envelope('<tr2:CreateMaskResponse><tr2:Token>m&#38;1</tr2:Token></tr2:CreateMaskResponse>'),
      DeleteMask: envelope('<tr2:DeleteMaskResponse/>'),
    });
    const prior = await privacyMaskLever.apply(session, spec('privacy-mask'), ctx());
    expect(prior).toEqual({ masks: [{ configurationToken: 'VSC&1', maskToken: 'm&1' }] });
    expect(sent[1]).toContain('<tr2:ConfigurationToken>VSC&amp;1</tr2:ConfigurationToken>');
    await privacyMaskLever.revert(session, spec('privacy-mask'), prior);
    expect(sent[2]).toContain('<tr2:Token>m&amp;1</tr2:Token>');
  });

  it.each([
    ['not a SOAP envelope', '<html><body>Recording service</body></html>'],
    ['an empty Body', envelope('')],
    ['the answer to another operation', envelope('<trc:GetRecordingsResponse/>')],
  ])('a GetRecordingJobs answer that is %s fails the lever instead of reading as no jobs', async (_label, answer) => {
    const { session, sent } = stubSession({ GetRecordingJobs: answer });
    await expect(recordingJobIdleLever.apply(session, spec('recording-job-idle'), ctx())).rejects.toMatchObject({
      code: ErrorCode.InvalidXml,
    });
    expect(sent).toHaveLength(1);
  });
});
