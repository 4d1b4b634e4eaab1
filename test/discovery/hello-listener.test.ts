import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { HelloListener } from '../../src/discovery/hello-listener.js';
import type { DiscoveredDevice } from '../../src/model/camera-records.js';
import { waitFor } from '../helpers/wait-for.js';

const NS = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
const env = (action: string, body: string) =>
  `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${NS}" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">` +
  `<s:Header><a:Action>${NS}/${action}</a:Action><a:MessageID>urn:uuid:m</a:MessageID></s:Header><s:Body>${body}</s:Body></s:Envelope>`;

let listener: HelloListener | undefined;
afterEach(() => listener?.stop());

describe('HelloListener', () => {
  it('emits hello (foreign XAddrs refused) and bye; ignores junk; stop() closes the socket', async () => {
    const port = 40000 + (process.pid % 20000);
    // interfaces: a name that matches nothing, so no multicast group is joined on the host's real interfaces.
    listener = new HelloListener({ port, interfaces: ['cw-none'] });
    await listener.start();
    const hellos: DiscoveredDevice[] = [];
    const byes: string[] = [];
    listener.on('hello', (d) => hellos.push(d));
    listener.on('bye', (b) => byes.push(b.endpoint));
    const tx = createSocket('udp4');
    const send = (m: string) => new Promise<void>((r) => tx.send(Buffer.from(m), port, '127.0.0.1', () => r()));
    await send('garbage <<<');
    await send(
      env(
        'Hello',
        '<d:Hello><a:EndpointReference><a:Address>urn:uuid:h1</a:Address></a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>' +
          '<d:XAddrs>http://127.0.0.1:8080/onvif/device_service http://10.1.1.1/onvif/device_service</d:XAddrs></d:Hello>',
      ),
    );
    await send(
      env('Bye', '<d:Bye><a:EndpointReference><a:Address>urn:uuid:h1</a:Address></a:EndpointReference></d:Bye>'),
    );
    // one socket reads its datagrams in order: once the Bye (sent last) is read, so are the garbage and the Hello
    await waitFor('the Bye', () => (byes.length > 0 ? true : undefined));
    tx.close();
    expect(hellos).toHaveLength(1);
    expect(hellos[0]).toMatchObject({
      endpoint: 'urn:uuid:h1',
      via: 'hello',
      xaddrs: ['http://127.0.0.1:8080/onvif/device_service'],
      refusedXaddrs: ['http://10.1.1.1/onvif/device_service'],
    });
    expect(byes).toEqual(['urn:uuid:h1']);
    listener.stop();
    // The port is free again once stopped.
    const again = new HelloListener({ port, interfaces: ['cw-none'] });
    await again.start();
    again.stop();
  });
});
