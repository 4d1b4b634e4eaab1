import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { decodeXmlEntities } from './entities.js';

/**
 * Safe parsing of untrusted XML (SOAP responses, WS-Discovery datagrams).
 * SOAP forbids DTDs, so any DOCTYPE/ENTITY is refused before parsing; entities are never expanded; every value
 * stays a verbatim string (an 18-digit serial or HardwareId `0727` must survive).
 */
export interface XmlNode {
  /** Qualified name as written, e.g. `tds:SerialNumber`. */
  name: string;
  /** Local name without prefix, e.g. `SerialNumber`. */
  local: string;
  /** Attributes by qualified name, values decoded, verbatim otherwise. */
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Concatenated direct text content, decoded, untrimmed. */
  text: string;
}

export interface ParseXmlOptions {
  /** Refuse documents larger than this many bytes (UTF-8). Default 2 MiB. */
  maxBytes?: number;
  /** Refuse documents nested deeper than this. Default 48. */
  maxDepth?: number;
}

export const DEFAULT_MAX_XML_BYTES = 2 * 1024 * 1024;
const DTD_MARKER = /<!\s*(DOCTYPE|ENTITY)/i;

export function hasDoctype(text: string): boolean {
  return DTD_MARKER.test(text);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  maxNestedTags: 64,
});

type RawEntry = Record<string, unknown>;

function localOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function convert(entry: RawEntry, depth: number, maxDepth: number): XmlNode | string | undefined {
  if (depth > maxDepth) throw new CamwardenError(ErrorCode.InvalidXml, `XML nested deeper than ${maxDepth}`);
  let node: XmlNode | undefined;
  for (const key of Object.keys(entry)) {
    if (key === '#text') return decodeXmlEntities(String(entry[key] ?? ''));
    if (key === ':@' || key.startsWith('?') || key === '#comment') continue;
    node = { name: key, local: localOf(key), attrs: {}, children: [], text: '' };
    const kids = entry[key];
    if (Array.isArray(kids)) {
      for (const kid of kids as RawEntry[]) {
        const converted = convert(kid, depth + 1, maxDepth);
        if (typeof converted === 'string') node.text += converted;
        else if (converted) node.children.push(converted);
      }
    }
  }
  const attrs = entry[':@'];
  if (node && attrs && typeof attrs === 'object') {
    for (const [k, v] of Object.entries(attrs as Record<string, unknown>)) node.attrs[k] = decodeXmlEntities(String(v));
  }
  return node;
}

/** Parses one document; throws CamwardenError (DoctypeRefused, ResponseTooLarge, InvalidXml), never anything else. */
export function parseXml(input: string | Buffer, opts: ParseXmlOptions = {}): XmlNode {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new CamwardenError(ErrorCode.ResponseTooLarge, `XML of ${size} bytes exceeds the ${maxBytes}-byte cap`);
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (hasDoctype(text))
    throw new CamwardenError(ErrorCode.DoctypeRefused, 'XML with a DOCTYPE/ENTITY declaration refused');
  let raw: unknown;
  try {
    const valid = XMLValidator.validate(text);
    if (valid !== true) {
      throw new CamwardenError(ErrorCode.InvalidXml, `invalid XML: ${valid.err.msg} (line ${valid.err.line})`);
    }
    raw = parser.parse(text);
  } catch (err) {
    if (err instanceof CamwardenError) throw err;
    throw new CamwardenError(ErrorCode.InvalidXml, `invalid XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const maxDepth = opts.maxDepth ?? 48;
  if (Array.isArray(raw)) {
    for (const entry of raw as RawEntry[]) {
      const node = convert(entry, 0, maxDepth);
      if (node && typeof node !== 'string') return node;
    }
  }
  throw new CamwardenError(ErrorCode.InvalidXml, 'invalid XML: no root element');
}
