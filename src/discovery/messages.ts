import { randomUUID } from 'node:crypto';
import type { DeviceError, DiscoveredDevice } from '../model/camera-records.js';
import { ErrorCode } from '../util/errors.js';
import {
  chainTo,
  child,
  childrenNamed,
  findFirst,
  parseXml,
  resolvePrefix,
  splitWhitespace,
  textOf,
  type XmlNode,
} from '../xml/index.js';
import { NS } from '../xml/namespaces.js';
import {
  ACTION_PROBE,
  ACTIONS,
  MAX_DATAGRAM_BYTES,
  MAX_XADDRS,
  ONVIF_SCOPE_PREFIX,
  ONVIF_TYPE_NAMESPACES,
} from './constants.js';
import { DEFAULT_SCOPE_LIMITS, limitScopes, type ScopeLimits } from './scope-limits.js';

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** One Probe (2005/04, what ONVIF devices implement) for one type QName. */
export function buildProbe(messageId: string, type: { qname: string; prefix: string; ns: string }): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa2004}" xmlns:d="${NS.wsd2005}" xmlns:${type.prefix}="${type.ns}">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID>` +
    '<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>' +
    `<a:Action s:mustUnderstand="1">${ACTION_PROBE}</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${type.qname}</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

export interface DiscoveryEntry {
  endpoint: string;
  types: string[];
  /** Namespace URI of each type, when its prefix could be resolved. */
  typeNamespaces: Array<string | undefined>;
  scopes: string[];
  xaddrs: string[];
  metadataVersion?: string;
  /** Scopes over the bounds were dropped (ScopeLimits): what and how many. */
  scopeError?: DeviceError;
  /** XAddrs past MAX_XADDRS were dropped: how many. */
  xaddrError?: DeviceError;
}

export type DiscoveryMessage =
  | { kind: 'probe-matches'; messageId?: string; relatesTo?: string; matches: DiscoveryEntry[] }
  | { kind: 'hello'; messageId?: string; entry: DiscoveryEntry }
  | { kind: 'bye'; messageId?: string; endpoint: string }
  | { kind: 'other'; action: string };

function entryOf(root: XmlNode, node: XmlNode, limits: ScopeLimits): DiscoveryEntry {
  const endpoint = textOf(findFirst(child(node, 'EndpointReference'), 'Address')) ?? '';
  const typesNode = child(node, 'Types');
  const types = splitWhitespace(textOf(typesNode));
  const chain = typesNode ? (chainTo(root, typesNode) ?? []) : [];
  const typeNamespaces = types.map((qname) => {
    const i = qname.indexOf(':');
    return resolvePrefix(chain, i < 0 ? '' : qname.slice(0, i));
  });
  const scopes = limitScopes(splitWhitespace(textOf(child(node, 'Scopes'))), limits, 'discovery message');
  const xaddrs = splitWhitespace(textOf(child(node, 'XAddrs')));
  const entry: DiscoveryEntry = {
    endpoint,
    types,
    typeNamespaces,
    scopes: scopes.scopes,
    // Bounded here, on the wire, like scopes: filtering costs per XAddr, and a Hello is read in the agent itself.
    xaddrs: xaddrs.slice(0, MAX_XADDRS),
  };
  const mv = textOf(child(node, 'MetadataVersion'));
  if (mv !== undefined && mv !== '') entry.metadataVersion = mv;
  if (scopes.error) entry.scopeError = scopes.error;
  if (xaddrs.length > MAX_XADDRS) {
    entry.xaddrError = {
      code: ErrorCode.ItemsDropped,
      message: `discovery message: ${xaddrs.length} XAddrs, ${xaddrs.length - MAX_XADDRS} dropped (over the cap of ${MAX_XADDRS})`,
    };
  }
  return entry;
}

/**
 * Parses one datagram on its own. Throws CamwardenError for oversize, DOCTYPE or invalid XML (callers catch per
 * datagram). Prefix-agnostic, so 2005/04 and 2009/01 messages both parse. Scopes are bounded here, on the wire.
 */
export function parseDiscoveryMessage(
  datagram: Buffer | string,
  limits: ScopeLimits = DEFAULT_SCOPE_LIMITS,
): DiscoveryMessage {
  const envelope = parseXml(datagram, { maxBytes: MAX_DATAGRAM_BYTES, maxDepth: 24 });
  const header = child(envelope, 'Header');
  const body = child(envelope, 'Body');
  const action = textOf(child(header, 'Action')) ?? '';
  const messageId = textOf(child(header, 'MessageID'));
  const relatesTo = textOf(child(header, 'RelatesTo'));
  const base = messageId === undefined ? {} : { messageId };
  const pm = child(body, 'ProbeMatches');
  if (ACTIONS.probeMatches.includes(action) || (action === '' && pm)) {
    const matches = childrenNamed(pm, 'ProbeMatch').map((m) => entryOf(envelope, m, limits));
    return { kind: 'probe-matches', ...base, ...(relatesTo === undefined ? {} : { relatesTo }), matches };
  }
  const hello = child(body, 'Hello');
  if (ACTIONS.hello.includes(action) && hello) {
    return { kind: 'hello', ...base, entry: entryOf(envelope, hello, limits) };
  }
  const bye = child(body, 'Bye');
  if (ACTIONS.bye.includes(action) && bye) {
    return { kind: 'bye', ...base, endpoint: textOf(findFirst(child(bye, 'EndpointReference'), 'Address')) ?? '' };
  }
  return { kind: 'other', action };
}

/** An ONVIF device lists tds:Device / dn:NetworkVideoTransmitter, or at least onvif:// scopes. Printers do not. */
export function isOnvifEntry(entry: DiscoveryEntry): boolean {
  if (entry.scopes.some((s) => s.startsWith(ONVIF_SCOPE_PREFIX))) return true;
  return entry.typeNamespaces.some((ns) => ns !== undefined && ONVIF_TYPE_NAMESPACES.has(ns));
}

const LINK_LOCAL = /^(169\.254\.|\[?fe80:)/i;

/** Keeps only http(s) XAddrs whose host is the sender; everything else (foreign, link-local, junk) is refused. */
export function filterXaddrs(xaddrs: string[], sender: string): { accepted: string[]; refused: string[] } {
  const accepted: string[] = [];
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const raw of xaddrs) {
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    const ok =
      url !== undefined &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname === sender &&
      !LINK_LOCAL.test(url.hostname) &&
      url.username === '' &&
      url.password === '';
    if (ok) {
      if (!seen.has(raw)) accepted.push(raw);
      seen.add(raw);
    } else refused.push(raw.slice(0, 256));
  }
  return { accepted, refused };
}

/** The device a ProbeMatch or Hello describes, as seen from `sender`: only XAddrs on the sender's own host are kept. */
export function deviceFromEntry(entry: DiscoveryEntry, sender: string, via: DiscoveredDevice['via']): DiscoveredDevice {
  const { accepted, refused } = filterXaddrs(entry.xaddrs, sender);
  const device: DiscoveredDevice = {
    endpoint: entry.endpoint,
    address: sender,
    xaddrs: accepted,
    scopes: entry.scopes,
    types: entry.types,
    via,
  };
  if (entry.metadataVersion !== undefined) device.metadataVersion = entry.metadataVersion;
  if (refused.length > 0) device.refusedXaddrs = refused;
  const errors = [entry.scopeError, entry.xaddrError].filter((e): e is DeviceError => e !== undefined);
  if (errors.length > 0) device.errors = errors;
  return device;
}
