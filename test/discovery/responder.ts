import { createSocket, type Socket } from 'node:dgram';

/** A tiny WS-Discovery responder on a loopback address for tests: answers each Probe via `reply`. */
export interface Responder {
  address: string;
  port: number;
  probes: string[];
  close(): Promise<void>;
}

export function probeMatch(opts: {
  relatesTo: string;
  endpoint: string;
  xaddrs: string;
  scopes?: string;
  types?: string;
  ns2009?: boolean;
}): string {
  const d = opts.ns2009
    ? 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01'
    : 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
  return (
    `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" ` +
    `xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${d}" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" ` +
    `xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:wsdp="http://schemas.xmlsoap.org/ws/2006/02/devprof">` +
    `<SOAP-ENV:Header><wsa:MessageID>urn:uuid:${Math.random().toString(16).slice(2)}</wsa:MessageID>` +
    `<wsa:RelatesTo>${opts.relatesTo}</wsa:RelatesTo><wsa:Action>${d}/ProbeMatches\n</wsa:Action></SOAP-ENV:Header>` +
    `<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>${opts.endpoint}</wsa:Address></wsa:EndpointReference>` +
    `<d:Types>${opts.types ?? 'dn:NetworkVideoTransmitter tds:Device'}</d:Types>` +
    `<d:Scopes>${opts.scopes ?? 'onvif://www.onvif.org/Profile/Streaming\n   onvif://www.onvif.org/location/zone/toilet'}</d:Scopes>` +
    `<d:XAddrs>${opts.xaddrs}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

/** Datagrams to answer with, at once or `after` ms (a device may delay its answer up to APP_MAX_DELAY). */
export type Reply = Array<string | Buffer> | { after: number; datagrams: Array<string | Buffer> };

export async function startResponder(
  address: string,
  port: number,
  reply: (probe: string, messageId: string) => Reply,
): Promise<Responder> {
  const socket: Socket = createSocket({ type: 'udp4', reuseAddr: true });
  const probes: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  socket.on('message', (msg, rinfo) => {
    const text = msg.toString('utf8');
    probes.push(text);
    const id = /<a:MessageID>([^<]+)<\/a:MessageID>/.exec(text)?.[1] ?? '';
    const r = reply(text, id);
    const { after, datagrams } = Array.isArray(r) ? { after: 0, datagrams: r } : r;
    const send = (): void => {
      for (const d of datagrams) socket.send(typeof d === 'string' ? Buffer.from(d) : d, rinfo.port, rinfo.address);
    };
    if (after > 0) timers.add(setTimeout(send, after));
    else send();
  });
  await new Promise<void>((resolve) => socket.bind(port, address, resolve));
  return {
    address,
    port: socket.address().port,
    probes,
    close: () => {
      for (const t of timers) clearTimeout(t);
      return new Promise<void>((r) => socket.close(() => r()));
    },
  };
}
