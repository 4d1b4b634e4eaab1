import type { OnvifSession } from '../../onvif/session.js';
import { CamwardenError, ErrorCode, errorMessage } from '../../util/errors.js';
import { attr, child, childrenNamed, escapeXml, textOf } from '../../xml/index.js';
import { NS } from '../../xml/namespaces.js';
import { operationResponse } from '../soap-xml.js';
import { asArray, type Lever } from './lever.js';

interface VideoSourceConfiguration {
  token: string;
  sourceToken: string | undefined;
}

async function getVideoSourceConfigurations(session: OnvifSession): Promise<VideoSourceConfiguration[]> {
  const xml = await session.call('media2', `<tr2:GetVideoSourceConfigurations xmlns:tr2="${NS.media2}"/>`);
  const response = await operationResponse(xml, 'GetVideoSourceConfigurations');
  return childrenNamed(response, 'Configurations').flatMap((c) => {
    const token = attr(c, 'token');
    return token ? [{ token, sourceToken: textOf(child(c, 'SourceToken')) }] : [];
  });
}

/**
 * A Media2 mask polygon is in normalized coordinates (-1..1 on both axes), so these four corners cover the
 * whole frame whatever the resolution.
 */
function createMaskBody(configurationToken: string): string {
  const corners = [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ]
    .map(([x, y]) => `<tt:Point x="${x}" y="${y}"/>`)
    .join('');
  return (
    `<tr2:CreateMask xmlns:tr2="${NS.media2}" xmlns:tt="${NS.schema}"><tr2:Mask>` +
    `<tr2:ConfigurationToken>${escapeXml(configurationToken)}</tr2:ConfigurationToken>` +
    `<tr2:Polygon>${corners}</tr2:Polygon><tr2:Type>Color</tr2:Type><tr2:Enabled>true</tr2:Enabled>` +
    '</tr2:Mask></tr2:CreateMask>'
  );
}

function deleteMaskBody(token: string): string {
  return `<tr2:DeleteMask xmlns:tr2="${NS.media2}"><tr2:Token>${escapeXml(token)}</tr2:Token></tr2:DeleteMask>`;
}

/**
 * A full-frame Color mask on every video source configuration of the camera (or of the channel's source on a
 * recorder). Only the masks we created are stored, and only those are deleted on unblock.
 */
export const privacyMaskLever: Lever = {
  async apply(session, spec, ctx) {
    // Masks an interrupted attempt may have created are removed first, so none is left behind unrecorded.
    for (const m of asArray(ctx.pendingPrior?.masks)) {
      const token = (m as { maskToken?: unknown }).maskToken;
      if (typeof token === 'string') await session.call('media2', deleteMaskBody(token)).catch(() => undefined);
    }
    const all = await getVideoSourceConfigurations(session);
    const targets = spec.channel ? all.filter((c) => c.sourceToken === spec.channel || c.token === spec.channel) : all;
    if (targets.length === 0) {
      throw new CamwardenError(
        ErrorCode.NotSupported,
        spec.channel ? `no video source configuration for channel ${spec.channel}` : 'no video source configuration',
      );
    }
    const created: Array<{ configurationToken: string; maskToken: string }> = [];
    for (const target of targets) {
      try {
        const xml = await session.call('media2', createMaskBody(target.token));
        const maskToken = textOf(child(await operationResponse(xml, 'CreateMask'), 'Token'));
        if (!maskToken) throw new CamwardenError(ErrorCode.InvalidXml, 'CreateMaskResponse has no Token');
        created.push({ configurationToken: target.token, maskToken });
        await ctx.savePrior({ masks: created });
      } catch (err) {
        // Half a mask set is neither blocked nor restorable: take back what we made, then report.
        for (const m of created) await session.call('media2', deleteMaskBody(m.maskToken)).catch(() => undefined);
        await ctx.savePrior({ masks: [] }).catch(() => undefined);
        throw new CamwardenError(ErrorCode.EnforcementFailed, `CreateMask on ${target.token}: ${errorMessage(err)}`);
      }
    }
    return { masks: created };
  },
  async revert(session, _spec, prior) {
    for (const m of asArray(prior.masks)) {
      const token = (m as { maskToken?: unknown }).maskToken;
      if (typeof token !== 'string') continue;
      try {
        await session.call('media2', deleteMaskBody(token));
      } catch (err) {
        // The device refusing to delete a token means it no longer has that mask (removed by hand, reset):
        // the goal is reached. Timeouts and auth failures are real failures and are retried.
        if (!(err instanceof CamwardenError && err.code === ErrorCode.SoapFault)) throw err;
      }
    }
  },
};
