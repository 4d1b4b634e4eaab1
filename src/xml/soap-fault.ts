import { CamwardenError, ErrorCode } from '../util/errors.js';
import { child, findAll, findFirst, path, textOf } from './query.js';
import type { XmlNode } from './safe-xml.js';

export interface SoapFaultInfo {
  code: string;
  subcodes: string[];
  reason: string;
}

/** Reads a SOAP 1.2 (or 1.1) Fault from an envelope; undefined when the body holds no Fault. */
export function readSoapFault(envelope: XmlNode): SoapFaultInfo | undefined {
  const fault = path(envelope, 'Body', 'Fault');
  if (!fault) return undefined;
  const codeNode = child(fault, 'Code');
  const code = textOf(child(codeNode, 'Value')) ?? textOf(child(fault, 'faultcode')) ?? '';
  const subcodes = findAll(child(codeNode, 'Subcode'), 'Value')
    .map((n) => textOf(n) ?? '')
    .filter((s) => s.length > 0);
  const reason =
    textOf(findFirst(child(fault, 'Reason'), 'Text')) ??
    textOf(child(fault, 'faultstring')) ??
    'SOAP fault without reason';
  return { code, subcodes, reason };
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

/** Maps a fault to our error codes: NotAuthorized → unauthorized, ActionNotSupported → not-supported, else soap-fault. */
export function faultToError(fault: SoapFaultInfo, operation: string): CamwardenError {
  const locals = fault.subcodes.map(localName);
  const summary = `${operation}: SOAP fault ${[fault.code, ...fault.subcodes].join(' / ')}: ${fault.reason}`.slice(
    0,
    400,
  );
  if (locals.includes('NotAuthorized') || /not\s*authori[sz]ed/i.test(fault.reason)) {
    return new CamwardenError(ErrorCode.Unauthorized, summary, { subcodes: fault.subcodes });
  }
  if (locals.includes('ActionNotSupported') || locals.includes('ActionNotSupport')) {
    return new CamwardenError(ErrorCode.NotSupported, summary, { subcodes: fault.subcodes });
  }
  return new CamwardenError(ErrorCode.SoapFault, summary, { subcodes: fault.subcodes });
}
