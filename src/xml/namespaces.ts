/** The XML namespaces camwarden writes and reads, in one table (SOAP 1.2, WS-Addressing, WS-Discovery, ONVIF). */
export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  wsa2004: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsd2005: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsd2009: 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01',
  /** ONVIF schema types (tt:) and the network device type of discovery (dn:). */
  schema: 'http://www.onvif.org/ver10/schema',
  network: 'http://www.onvif.org/ver10/network/wsdl',
  /** ONVIF services, by the names camwarden calls them. */
  device: 'http://www.onvif.org/ver10/device/wsdl',
  media: 'http://www.onvif.org/ver10/media/wsdl',
  media2: 'http://www.onvif.org/ver20/media/wsdl',
  recording: 'http://www.onvif.org/ver10/recording/wsdl',
  search: 'http://www.onvif.org/ver10/search/wsdl',
  replay: 'http://www.onvif.org/ver10/replay/wsdl',
} as const;

export type OnvifServiceName = 'device' | 'media' | 'media2' | 'recording' | 'search' | 'replay';

/** The ONVIF services by namespace: how a GetServices answer names them. */
export const SERVICE_BY_NAMESPACE: Readonly<Record<string, OnvifServiceName>> = Object.fromEntries(
  (['device', 'media', 'media2', 'recording', 'search', 'replay'] as const).map((s) => [NS[s], s]),
);
