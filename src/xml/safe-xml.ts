import { SaxesParser } from 'saxes';
import { CamwardenError, ErrorCode } from '../util/errors.js';
import { declaresDoctype } from './doctype.js';

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
  /**
   * Refuse documents with more elements than this. Default 20,000: a 64-channel NVR's GetProfiles has a few
   * thousand, while 2 MiB of `<a/>` would be 170,000 nodes (~60 MB of tree, and GC pauses to match).
   */
  maxElements?: number;
}

const DEFAULT_MAX_XML_BYTES = 2 * 1024 * 1024;
const DEFAULT_MAX_XML_ELEMENTS = 20_000;

/**
 * saxes reports a bad character or entity reference and goes on, keeping the reference literally; those we tolerate
 * (cameras write `&nbsp;`). Every other report is a well-formedness error and ends the parse.
 */
const TOLERATED = /^\d+:\d+: (undefined entity|malformed character entity|disallowed character in entity name)\.$/;

function localOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

/** Text checked and ready to parse: size within the cap, no DTD. */
function admit(input: string | Buffer, opts: ParseXmlOptions): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new CamwardenError(ErrorCode.ResponseTooLarge, `XML of ${size} bytes exceeds the ${maxBytes}-byte cap`);
  }
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (declaresDoctype(text))
    throw new CamwardenError(ErrorCode.DoctypeRefused, 'XML with a DOCTYPE/ENTITY declaration refused');
  return text;
}

/** A saxes parser that builds the XmlNode tree as it is fed; `root()` once the whole document was written. */
function treeParser(opts: ParseXmlOptions): { parser: SaxesParser; root(): XmlNode } {
  const maxDepth = opts.maxDepth ?? 48;
  const maxElements = opts.maxElements ?? DEFAULT_MAX_XML_ELEMENTS;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let elements = 0;
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
    if (++elements > maxElements) {
      throw new CamwardenError(ErrorCode.ResponseTooLarge, `XML with more than ${maxElements} elements refused`);
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
  return {
    parser,
    root() {
      if (root) return root;
      throw new CamwardenError(ErrorCode.InvalidXml, 'invalid XML: no root element');
    },
  };
}

function asParseError(err: unknown): CamwardenError {
  if (err instanceof CamwardenError) return err;
  return new CamwardenError(ErrorCode.InvalidXml, `invalid XML: ${err instanceof Error ? err.message : String(err)}`);
}

/** Parses one document; throws CamwardenError (DoctypeRefused, ResponseTooLarge, InvalidXml), never anything else. */
export function parseXml(input: string | Buffer, opts: ParseXmlOptions = {}): XmlNode {
  const text = admit(input, opts);
  const tree = treeParser(opts);
  try {
    tree.parser.write(text).close();
  } catch (err) {
    throw asParseError(err);
  }
  return tree.root();
}

/**
 * Characters parsed between two yields to the event loop. Parsing runs at a few MB/s on a busy gateway, so a slice
 * costs a few milliseconds: a 2 MiB response never holds timers, MQTT or other devices up for long.
 */
const PARSE_SLICE_CHARS = 32 * 1024;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * parseXml in slices, yielding to the event loop between them: for responses parsed in the agent's own process,
 * where one device's large answer must not stall everything else. Same result and errors as parseXml.
 */
export async function parseXmlAsync(input: string | Buffer, opts: ParseXmlOptions = {}): Promise<XmlNode> {
  const text = admit(input, opts);
  const tree = treeParser(opts);
  try {
    for (let at = 0; at < text.length; at += PARSE_SLICE_CHARS) {
      if (at > 0) await yieldToLoop();
      tree.parser.write(text.slice(at, at + PARSE_SLICE_CHARS)); // saxes carries a split surrogate pair over
    }
    tree.parser.close();
  } catch (err) {
    throw asParseError(err);
  }
  return tree.root();
}
