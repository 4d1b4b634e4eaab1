/**
 * An authenticated ONVIF SOAP session to one device, as enforce/ and retention/ use it.
 * onvif/ implements it on the `onvif` package with per-call timeout, size cap and DOCTYPE refusal.
 */
export type OnvifService = 'device' | 'media' | 'media2' | 'recording' | 'search' | 'replay';

export interface OnvifSession {
  readonly xaddr: string;
  /**
   * Sends one SOAP body (the element inside <s:Body>, with its namespace) to a service and returns the
   * raw response XML. Rejects with CamwardenError (timeout, soap-fault, unauthorized, …); never hangs.
   */
  call(service: OnvifService, bodyXml: string): Promise<string>;
  close(): void;
}

export interface OnvifCredentials {
  username: string;
  password: string;
}

export type OpenSession = (xaddr: string, credentials: OnvifCredentials | undefined) => Promise<OnvifSession>;
