/** WS-Discovery / SOAP-over-UDP constants (OASIS WS-Discovery 1.1, SOAP-over-UDP 1.1). */
import { NS } from '../xml/namespaces.js';

export const WSD_MULTICAST_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;
/** Targets delay multicast replies randomly up to this. */
export const APP_MAX_DELAY_MS = 500;
export const UDP_MIN_DELAY_MS = 50;
export const UDP_MAX_DELAY_MS = 250;
export const UDP_UPPER_DELAY_MS = 500;
export const UNICAST_UDP_REPEAT = 2;
/** SOAP-over-UDP envelope limit. */
export const MAX_DATAGRAM_BYTES = 64 * 1024;

export const NS_SOAP12 = NS.soap12;
export const NS_WSA_2004 = NS.wsa2004;
export const NS_WSD_2005 = NS.wsd2005;
const NS_WSD_2009 = NS.wsd2009;
const NS_DN = NS.network;
const NS_TDS = NS.device;

export const ACTION_PROBE = `${NS_WSD_2005}/Probe`;
/** ProbeMatches/Hello/Bye actions in both namespaces. */
export const ACTIONS = {
  probeMatches: [`${NS_WSD_2005}/ProbeMatches`, `${NS_WSD_2009}/ProbeMatches`],
  hello: [`${NS_WSD_2005}/Hello`, `${NS_WSD_2009}/Hello`],
  bye: [`${NS_WSD_2005}/Bye`, `${NS_WSD_2009}/Bye`],
};

/** The two types we probe for, one Probe each (a target must match every listed type). */
export const PROBE_TYPES = [
  { qname: 'dn:NetworkVideoTransmitter', prefix: 'dn', ns: NS_DN },
  { qname: 'tds:Device', prefix: 'tds', ns: NS_TDS },
] as const;

/** Type namespaces that make a responder an ONVIF device. */
export const ONVIF_TYPE_NAMESPACES: ReadonlySet<string> = new Set([NS_DN, NS_TDS]);
export const ONVIF_SCOPE_PREFIX = 'onvif://www.onvif.org/';
