import { XMLParser } from 'fast-xml-parser';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export const NS = {
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  trc: 'http://www.onvif.org/ver10/recording/wsdl',
} as const;

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  parseTagValue: false,
  parseAttributeValue: false,
  maxNestedTags: 48,
});

export type XmlNode = Record<string, unknown>;

/** Parses a device response; DTDs are refused (SOAP forbids them, and they are the entity-bomb vector). */
export function parseSoap(xml: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new CamwardenError(ErrorCode.DoctypeRefused, 'device response contains a DTD');
  try {
    return parser.parse(xml) as XmlNode;
  } catch (err) {
    throw new CamwardenError(ErrorCode.InvalidXml, 'device response is not well-formed XML', undefined, { cause: err });
  }
}

/** Finds the first element with this local name anywhere below `node` (depth-first). */
export function findFirst(node: unknown, name: string, depth = 0): unknown {
  if (depth > 48 || node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = findFirst(n, name, depth + 1);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  const rec = node as XmlNode;
  if (name in rec) return rec[name];
  for (const [k, v] of Object.entries(rec)) {
    if (k.startsWith('@')) continue;
    const hit = findFirst(v, name, depth + 1);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text of a leaf (or its `#text`), with the predefined entities decoded. */
export function text(value: unknown): string | undefined {
  const raw =
    typeof value === 'string'
      ? value
      : typeof value === 'object' && value !== null
        ? (value as XmlNode)['#text']
        : undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  return String(raw)
    .replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e] ?? '')
    .trim();
}

export function attr(value: unknown, name: string): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = (value as XmlNode)[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function child(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode)[name] : undefined;
}

export function escapeXml(value: string): string {
  return value.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}
