import { SaxesParser } from 'saxes';
import { CamwardenError, ErrorCode } from '../util/errors.js';

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

/**
 * saxes reports a bad character or entity reference and goes on, keeping the reference literally; those we tolerate
 * (cameras write `&nbsp;`). Every other report is a well-formedness error and ends the parse.
 */
const TOLERATED = /^\d+:\d+: (undefined entity|malformed character entity|disallowed character in entity name)\.$/;

function localOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
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
  const maxDepth = opts.maxDepth ?? 48;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (err) => {
    if (!TOLERATED.test(err.message)) throw new CamwardenError(ErrorCode.InvalidXml, `invalid XML: ${err.message}`);
  });
  parser.on('doctype', () => {
    throw new CamwardenError(ErrorCode.DoctypeRefused, 'XML with a DOCTYPE/ENTITY declaration refused');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) {
      throw new CamwardenError(ErrorCode.InvalidXml, `invalid XML: nested deeper than ${maxDepth}`);
    }
    const node: XmlNode = { name: tag.name, local: localOf(tag.name), attrs: tag.attributes, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else root ??= node;
    if (!tag.isSelfClosing) stack.push(node);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const addText = (text: string): void => {
    const current = stack[stack.length - 1];
    if (current) current.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(text).close();
  } catch (err) {
    if (err instanceof CamwardenError) throw err;
    throw new CamwardenError(ErrorCode.InvalidXml, `invalid XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (root) return root;
  throw new CamwardenError(ErrorCode.InvalidXml, 'invalid XML: no root element');
}
