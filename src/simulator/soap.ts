import { CamwardenError, ErrorCode } from '../util/errors.js';
import { NS, type StyleDefinition } from './vendor-styles.js';
import { escapeXml } from './xml.js';

/** Prefixes every response body may use; declared on the envelope like gSOAP devices do. */
const BODY_NAMESPACES: Record<string, string> = {
  tt: NS.tt,
  tds: NS.tds,
  trt: NS.trt,
  tr2: NS.tr2,
  trc: NS.trc,
  tse: NS.tse,
  trp: NS.trp,
  tev: NS.tev,
  timg: NS.timg,
  tmd: NS.tmd,
  tptz: NS.tptz,
  ter: NS.ter,
  dn: NS.dn,
};

export function envelope(style: StyleDefinition, body: string, header = ''): string {
  const p = style.envPrefix;
  const decls = { [p]: NS.soap, ...style.extraNamespaces, ...BODY_NAMESPACES };
  const sep = style.pretty ? '\n    ' : ' ';
  const nl = style.pretty ? '\n' : '';
  const attrs = Object.entries(decls)
    .map(([k, v]) => `xmlns:${k}="${v}"`)
    .join(sep);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>${nl}<${p}:Envelope ${attrs}>${nl}` +
    `<${p}:Header>${header}</${p}:Header>${nl}<${p}:Body>${nl}${body}${nl}</${p}:Body>${nl}</${p}:Envelope>${nl}`
  );
}

export interface FaultSpec {
  code: 'Sender' | 'Receiver';
  /** e.g. ter:NotAuthorized, ter:ActionNotSupported, ter:InvalidArgVal */
  subcode?: string;
  subsubcode?: string;
  reason: string;
}

export function faultBody(style: StyleDefinition, fault: FaultSpec): string {
  const p = style.envPrefix;
  const inner = fault.subsubcode
    ? `<${p}:Subcode><${p}:Value>${escapeXml(fault.subsubcode)}</${p}:Value></${p}:Subcode>`
    : '';
  const sub = fault.subcode
    ? `<${p}:Subcode><${p}:Value>${escapeXml(fault.subcode)}</${p}:Value>${inner}</${p}:Subcode>`
    : '';
  return (
    `<${p}:Fault><${p}:Code><${p}:Value>${p}:${fault.code}</${p}:Value>${sub}</${p}:Code>` +
    `<${p}:Reason><${p}:Text xml:lang="en">${escapeXml(fault.reason)}</${p}:Text></${p}:Reason></${p}:Fault>`
  );
}

/** SOAP 1.2 HTTP binding: Sender faults are 400, Receiver faults 500. */
export function faultStatus(fault: FaultSpec): number {
  return fault.code === 'Sender' ? 400 : 500;
}

export const FAULTS = {
  notAuthorized: { code: 'Sender', subcode: 'ter:NotAuthorized', reason: 'Sender not Authorized' },
  actionNotSupported: {
    code: 'Receiver',
    subcode: 'ter:ActionNotSupported',
    reason: 'Optional Action Not Implemented',
  },
  noConfig: {
    code: 'Sender',
    subcode: 'ter:InvalidArgVal',
    subsubcode: 'ter:NoConfig',
    reason: 'No such configuration',
  },
  noRecording: {
    code: 'Sender',
    subcode: 'ter:InvalidArgVal',
    subsubcode: 'ter:NoRecording',
    reason: 'No such recording',
  },
  wellFormed: { code: 'Sender', subcode: 'ter:WellFormed', reason: 'Request is not well-formed SOAP' },
} satisfies Record<string, FaultSpec>;

/** A caller-visible SOAP fault thrown by an operation handler. */
export class SoapFault extends CamwardenError {
  readonly fault: FaultSpec;
  constructor(fault: FaultSpec) {
    super(ErrorCode.SoapFault, fault.reason);
    this.name = 'SoapFault';
    this.fault = fault;
  }
}
