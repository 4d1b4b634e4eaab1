import type { OnvifSession } from '../../onvif/session.js';
import { CamwardenError, ErrorCode } from '../../util/errors.js';
import { child, childrenNamed, escapeXml, textOf } from '../../xml/index.js';
import { NS } from '../../xml/namespaces.js';
import { operationResponse } from '../soap-xml.js';
import type { Lever } from './lever.js';

export interface NetworkProtocol {
  name: string;
  enabled: boolean;
  ports: number[];
}

async function getNetworkProtocols(session: OnvifSession): Promise<NetworkProtocol[]> {
  const xml = await session.call('device', `<tds:GetNetworkProtocols xmlns:tds="${NS.device}"/>`);
  const response = await operationResponse(xml, 'GetNetworkProtocols');
  return childrenNamed(response, 'NetworkProtocols').flatMap((p) => {
    const name = textOf(child(p, 'Name'));
    if (!name) return [];
    const enabled = textOf(child(p, 'Enabled')) === 'true';
    const ports = childrenNamed(p, 'Port')
      .map((v) => Number(textOf(v)))
      .filter((n) => Number.isInteger(n) && n > 0 && n < 65536);
    return [{ name, enabled, ports }];
  });
}

function setNetworkProtocolsBody(protocols: readonly NetworkProtocol[]): string {
  const items = protocols
    .map(
      (p) =>
        `<tds:NetworkProtocols><tt:Name>${escapeXml(p.name)}</tt:Name><tt:Enabled>${p.enabled}</tt:Enabled>` +
        `${p.ports.map((port) => `<tt:Port>${port}</tt:Port>`).join('')}</tds:NetworkProtocols>`,
    )
    .join('');
  return `<tds:SetNetworkProtocols xmlns:tds="${NS.device}" xmlns:tt="${NS.schema}">${items}</tds:SetNetworkProtocols>`;
}

/**
 * RTSP off via tds:SetNetworkProtocols. Every protocol is sent back as read (HTTP/HTTPS unchanged) with only RTSP
 * switched; the prior RTSP Enabled/Port is stored and restored on unblock.
 */
export const rtspOffLever: Lever = {
  async apply(session, _spec, ctx) {
    const protocols = await getNetworkProtocols(session);
    const rtsp = protocols.find((p) => p.name.toUpperCase() === 'RTSP');
    if (!rtsp) throw new CamwardenError(ErrorCode.NotSupported, 'GetNetworkProtocols lists no RTSP protocol');
    const prior = ctx.pendingPrior?.rtsp ? ctx.pendingPrior : { rtsp: { enabled: rtsp.enabled, ports: rtsp.ports } };
    await ctx.savePrior(prior);
    if (rtsp.enabled) {
      const next = protocols.map((p) => (p === rtsp ? { ...p, enabled: false } : p));
      await session.call('device', setNetworkProtocolsBody(next));
    }
    return prior;
  },
  async revert(session, _spec, prior) {
    const before = prior.rtsp as { enabled?: unknown; ports?: unknown } | undefined;
    const enabled = before?.enabled === true;
    const ports = Array.isArray(before?.ports) ? before.ports.filter((p): p is number => typeof p === 'number') : [];
    const protocols = await getNetworkProtocols(session);
    const rtsp = protocols.find((p) => p.name.toUpperCase() === 'RTSP');
    if (rtsp && rtsp.enabled === enabled && sameNumbers(rtsp.ports, ports)) return;
    const restored = { name: rtsp?.name ?? 'RTSP', enabled, ports: ports.length > 0 ? ports : (rtsp?.ports ?? []) };
    const next = rtsp ? protocols.map((p) => (p === rtsp ? restored : p)) : [...protocols, restored];
    await session.call('device', setNetworkProtocolsBody(next));
  },
};

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
