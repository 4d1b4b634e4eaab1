// WS-Discovery responder for the netns test: joins 239.255.255.250 on the given address and answers Probes.
import { createSocket } from 'node:dgram';

const [address, endpoint] = process.argv.slice(2);
const s = createSocket({ type: 'udp4', reuseAddr: true });
s.on('message', (msg, rinfo) => {
  const id = /<a:MessageID>([^<]+)</.exec(msg.toString())?.[1] ?? '';
  const reply = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header><a:MessageID>urn:uuid:${Math.random()}</a:MessageID><a:RelatesTo>${id}</a:RelatesTo><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action></s:Header><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>${endpoint}</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/location/zone/toilet</d:Scopes><d:XAddrs>http://${address}:1/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
  s.send(Buffer.from(reply), rinfo.port, rinfo.address);
});
s.bind(3702, () => {
  s.addMembership('239.255.255.250', address);
  process.stdout.write('ready\n');
});
