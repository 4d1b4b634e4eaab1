/** WS-Discovery / SOAP-over-UDP constants (OASIS WS-Discovery 1.1, SOAP-over-UDP 1.1). */
import { NS } from '../xml/namespaces.js';

export const WSD_MULTICAST_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;
/** Targets delay multicast replies randomly up to this. */
const APP_MAX_DELAY_MS = 500;
/** How long replies are awaited after the last probe sent: APP_MAX_DELAY plus a margin for the round trip. */
export const ANSWER_WINDOW_MS = APP_MAX_DELAY_MS + 250;
export const UDP_MIN_DELAY_MS = 50;
export const UDP_MAX_DELAY_MS = 250;
export const UDP_UPPER_DELAY_MS = 500;
export const UNICAST_UDP_REPEAT = 2;
/** SOAP-over-UDP envelope limit. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;
/** XAddrs kept per ProbeMatch or Hello: a device has one per address and scheme; 64 KiB holds thousands. */
export const MAX_XADDRS = 16;

export const ACTION_PROBE = `${NS.wsd2005}/Probe`;
/** ProbeMatches/Hello/Bye actions in both namespaces. */
export const ACTIONS = {
  probeMatches: [`${NS.wsd2005}/ProbeMatches`, `${NS.wsd2009}/ProbeMatches`],
  hello: [`${NS.wsd2005}/Hello`, `${NS.wsd2009}/Hello`],
  bye: [`${NS.wsd2005}/Bye`, `${NS.wsd2009}/Bye`],
};

/**
 * The two types we probe for, one Probe each (a target must match every listed type). tds:Device comes first: the
 * ONVIF Core spec has every device list it, so it alone finds every endpoint of a compliant host;
 * dn:NetworkVideoTransmitter is for older devices that list only that (see docs/discovery.md).
 */
export const PROBE_TYPES = [
  { qname: 'tds:Device', prefix: 'tds', ns: NS.device },
  { qname: 'dn:NetworkVideoTransmitter', prefix: 'dn', ns: NS.network },
] as const;

/** Type namespaces that make a responder an ONVIF device. */
export const ONVIF_TYPE_NAMESPACES: ReadonlySet<string> = new Set([NS.network, NS.device]);
export const ONVIF_SCOPE_PREFIX = 'onvif://www.onvif.org/';
