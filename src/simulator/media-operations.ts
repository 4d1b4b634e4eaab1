/**
 * The media services of a simulated device (Media1, Media2 and DeviceIO): profiles, video sources and their
 * configurations, stream URIs, and Media2 privacy masks (the privacy-mask lever's target).
 */
import { type DeviceModel, faultOf, type SimMask } from './device-model.js';
import type { Handler } from './operations.js';
import { rtspUrl } from './recording-xml.js';
import { FAULTS, SoapFault } from './soap.js';
import { attrOf, elements, escapeXml, textOf } from './xml.js';

const x = escapeXml;

/** Sources that have profiles; the token-mismatch fault leaves the first NVR channel without any (onvif #369). */
function profiledSources(m: DeviceModel) {
  return faultOf(m.faults, 'token-mismatch') ? m.sources.slice(1) : m.sources;
}

const RES = { main: [1920, 1080], sub: [640, 360] } as const;

function vscXml(tagPrefix: string, tag: string, s: DeviceModel['sources'][number]): string {
  return (
    `<${tagPrefix}:${tag} token="${x(s.vscToken)}"><tt:Name>VideoSourceConfig_${s.index + 1}</tt:Name><tt:UseCount>2</tt:UseCount>` +
    `<tt:SourceToken>${x(s.token)}</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"></tt:Bounds></${tagPrefix}:${tag}>`
  );
}

const getProfilesMedia1: Handler = (m) => {
  const items = profiledSources(m).flatMap((s) =>
    (['main', 'sub'] as const).map((st) => {
      const [w, h] = RES[st];
      return (
        `<trt:Profiles token="${x(m.style.profileToken(s.index, st))}" fixed="true"><tt:Name>${st === 'main' ? 'mainStream' : 'subStream'}</tt:Name>` +
        vscXml('tt', 'VideoSourceConfiguration', s) +
        `<tt:VideoEncoderConfiguration token="VideoEncoder_${s.index + 1}_${st}"><tt:Name>VideoEncoder_${s.index + 1}_${st}</tt:Name>` +
        `<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution>` +
        '<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>' +
        `<tt:BitrateLimit>${st === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl><tt:H264><tt:GovLength>50</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` +
        '<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>' +
        '<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>'
      );
    }),
  );
  return `<trt:GetProfilesResponse>${items.join('')}</trt:GetProfilesResponse>`;
};

const getProfilesMedia2: Handler = (m) => {
  const items = profiledSources(m).flatMap((s) =>
    (['main', 'sub'] as const).map((st) => {
      const [w, h] = RES[st];
      return (
        `<tr2:Profiles token="${x(m.style.profileToken(s.index, st))}" fixed="true"><tr2:Name>${st === 'main' ? 'mainStream' : 'subStream'}</tr2:Name><tr2:Configurations>` +
        vscXml('tr2', 'VideoSource', s) +
        `<tr2:VideoEncoder token="VideoEncoder_${s.index + 1}_${st}" GovLength="50" Profile="Main"><tt:Name>VideoEncoder_${s.index + 1}_${st}</tt:Name>` +
        `<tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding><tt:Resolution><tt:Width>${w}</tt:Width><tt:Height>${h}</tt:Height></tt:Resolution>` +
        `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:BitrateLimit>${st === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl>` +
        '<tt:Quality>5</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>'
      );
    }),
  );
  return `<tr2:GetProfilesResponse>${items.join('')}</tr2:GetProfilesResponse>`;
};

const getVideoSources: Handler = (m, r) => {
  const p = r.service === 'deviceIO' ? 'tmd' : 'trt';
  const items = m.sources.map(
    (s) =>
      `<${p}:VideoSources token="${x(s.token)}"><tt:Framerate>25</tt:Framerate><tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></${p}:VideoSources>`,
  );
  return `<${p}:GetVideoSourcesResponse>${items.join('')}</${p}:GetVideoSourcesResponse>`;
};

const getVideoSourceConfigurations: Handler = (m, r) => {
  const p = r.service === 'media2' ? 'tr2' : 'trt';
  const wanted = textOf(r.body, 'ConfigurationToken');
  const items = m.sources.filter((s) => !wanted || s.vscToken === wanted).map((s) => vscXml(p, 'Configurations', s));
  return `<${p}:GetVideoSourceConfigurationsResponse>${items.join('')}</${p}:GetVideoSourceConfigurationsResponse>`;
};

const getStreamUri: Handler = (m, r) => {
  const profile = textOf(r.body, 'ProfileToken') ?? m.style.profileToken(0, 'main');
  if (r.service === 'media2') {
    return `<tr2:GetStreamUriResponse><tr2:Uri>${x(rtspUrl(m, profile))}</tr2:Uri></tr2:GetStreamUriResponse>`;
  }
  return (
    `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${x(rtspUrl(m, profile))}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    '<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>'
  );
};

const MAX_MASKS = 4;
const MAX_POINTS = 4;

function masks(m: DeviceModel): SimMask[] {
  return m.state.masks as SimMask[];
}

function maskXml(k: SimMask): string {
  return (
    `<tr2:Masks token="${x(k.token)}"><tr2:ConfigurationToken>${x(k.configurationToken)}</tr2:ConfigurationToken><tr2:Polygon>` +
    k.points.map((p) => `<tt:Point x="${p.x}" y="${p.y}"/>`).join('') +
    `</tr2:Polygon><tr2:Type>${x(k.type)}</tr2:Type>${k.color ?? ''}<tr2:Enabled>${k.enabled}</tr2:Enabled></tr2:Masks>`
  );
}

function parseMask(m: DeviceModel, xml: string, token: string): SimMask {
  const configurationToken = textOf(xml, 'ConfigurationToken') ?? '';
  if (!m.sources.some((s) => s.vscToken === configurationToken)) throw new SoapFault(FAULTS.noConfig);
  const polygon = elements(xml, 'Polygon')[0]?.inner ?? '';
  const points = elements(polygon, 'Point').map((p) => ({
    x: Number(attrOf(p.attrs, 'x')),
    y: Number(attrOf(p.attrs, 'y')),
  }));
  const bad = (reason: string): SoapFault =>
    new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', subsubcode: 'ter:ConfigModify', reason });
  if (points.length < 3 || points.length > MAX_POINTS) throw bad(`A mask needs 3 to ${MAX_POINTS} points`);
  if (points.some((p) => !Number.isFinite(p.x) || !Number.isFinite(p.y) || Math.abs(p.x) > 1 || Math.abs(p.y) > 1)) {
    throw bad('Mask points must lie in [-1, 1]');
  }
  const type = textOf(xml, 'Type') ?? '';
  if (!['Color', 'Pixelated', 'Blurred'].includes(type)) throw bad('Type must be Color, Pixelated or Blurred');
  const enabledText = textOf(xml, 'Enabled') ?? 'true';
  const colorEl = elements(xml, 'Color')[0];
  const mask: SimMask = {
    token,
    configurationToken,
    type,
    enabled: enabledText === 'true',
    points,
  };
  if (colorEl)
    mask.color = `<tr2:Color${colorEl.attrs.replace(/\s+/g, ' ').replace(/\s$/, '')}/>`.replace('<tr2:Color/>', '');
  return mask;
}

const getMasks: Handler = (m, r) => {
  const token = textOf(r.body, 'Token');
  const cfg = textOf(r.body, 'ConfigurationToken');
  const items = masks(m).filter((k) => (!token || k.token === token) && (!cfg || k.configurationToken === cfg));
  return `<tr2:GetMasksResponse>${items.map(maskXml).join('')}</tr2:GetMasksResponse>`;
};

const createMask: Handler = (m, r) => {
  const maskEl = elements(r.body, 'Mask')[0];
  if (!maskEl) throw new SoapFault({ code: 'Sender', subcode: 'ter:InvalidArgVal', reason: 'No Mask given' });
  if (masks(m).length >= MAX_MASKS) {
    throw new SoapFault({
      code: 'Receiver',
      subcode: 'ter:Action',
      subsubcode: 'ter:MaxMasks',
      reason: 'Too many masks',
    });
  }
  const mask = parseMask(m, maskEl.inner, `Mask_${m.nextMaskId}`);
  m.nextMaskId += 1;
  masks(m).push(mask);
  return `<tr2:CreateMaskResponse><tr2:Token>${x(mask.token)}</tr2:Token></tr2:CreateMaskResponse>`;
};

const setMask: Handler = (m, r) => {
  const maskEl = elements(r.body, 'Mask')[0];
  const token = maskEl ? attrOf(maskEl.attrs, 'token') : undefined;
  const i = masks(m).findIndex((k) => k.token === token);
  if (!maskEl || token === undefined || i < 0) throw new SoapFault(FAULTS.noConfig);
  masks(m)[i] = parseMask(m, maskEl.inner, token);
  return '<tr2:SetMaskResponse></tr2:SetMaskResponse>';
};

const deleteMask: Handler = (m, r) => {
  const token = textOf(r.body, 'Token') ?? '';
  const i = masks(m).findIndex((k) => k.token === token);
  if (i < 0) throw new SoapFault(FAULTS.noConfig);
  masks(m).splice(i, 1);
  return '<tr2:DeleteMaskResponse></tr2:DeleteMaskResponse>';
};

const getMaskOptions: Handler = (m, r) => {
  const cfg = textOf(r.body, 'ConfigurationToken') ?? '';
  if (!m.sources.some((s) => s.vscToken === cfg)) throw new SoapFault(FAULTS.noConfig);
  return (
    `<tr2:GetMaskOptionsResponse><tr2:Options RectangleOnly="false" SingleColorOnly="true"><tr2:MaxMasks>${MAX_MASKS}</tr2:MaxMasks>` +
    `<tr2:MaxPoints>${MAX_POINTS}</tr2:MaxPoints><tr2:Types>Color</tr2:Types><tr2:Color><tt:ColorList X="16" Y="128" Z="128" Colorspace="http://www.onvif.org/ver10/colorspace/YCbCr"/></tr2:Color>` +
    '</tr2:Options></tr2:GetMaskOptionsResponse>'
  );
};

/** `<service>:<operation>` → handler, merged into the device's operation table (operations.ts). */
export const MEDIA_HANDLERS: Record<string, Handler> = {
  'media:GetProfiles': getProfilesMedia1,
  'media:GetVideoSources': getVideoSources,
  'media:GetVideoSourceConfigurations': getVideoSourceConfigurations,
  'media:GetStreamUri': getStreamUri,
  'media2:GetProfiles': getProfilesMedia2,
  'media2:GetVideoSourceConfigurations': getVideoSourceConfigurations,
  'media2:GetStreamUri': getStreamUri,
  'media2:GetMasks': getMasks,
  'media2:CreateMask': createMask,
  'media2:SetMask': setMask,
  'media2:DeleteMask': deleteMask,
  'media2:GetMaskOptions': getMaskOptions,
  'deviceIO:GetVideoSources': getVideoSources,
};
