import type { KeyObject } from 'node:crypto';
import type { MqttConfig } from '../config/schema.js';
import { MqttTransport } from '../reporting/mqtt-transport.js';
import type { RequestOp } from '../reporting/requests/schemas.js';
import { type ResponsePayload, responseSchema } from '../reporting/schemas/index.js';
import type { Logger } from '../util/logger.js';
import { buildSignedRequest, type SignedRequest } from './signed-request.js';

export interface SendRequestOptions {
  /** Broker settings as the agent reads them (URL, credentials, TLS, protocol). */
  mqtt: MqttConfig & { url: string };
  /** `<prefix>/<site>/<gateway>` */
  base: string;
  op: RequestOp;
  args: Record<string, unknown>;
  key: KeyObject;
  timeoutMs: number;
  /** How long the gateway may still act on the request (its `expiresAt`). */
  validForMs: number;
  logger: Logger;
  now?: () => Date;
  transaction?: string;
}

export type SendOutcome =
  | { kind: 'response'; request: SignedRequest; response: ResponsePayload }
  | { kind: 'timeout'; request: SignedRequest; connected: boolean };

/**
 * Signs and publishes one request (QoS 1, not retained), then waits for the response to the same transaction on
 * `response/<op>`. The request is published once: after a reconnect the wait goes on, but a second copy would
 * only be refused as a replay.
 */
export async function sendRequest(opts: SendRequestOptions): Promise<SendOutcome> {
  const requestTopic = `${opts.base}/request/${opts.op}`;
  const responseTopic = `${opts.base}/response/${opts.op}`;
  const request = buildSignedRequest(requestTopic, opts.args, opts.key, {
    now: (opts.now ?? (() => new Date()))(),
    validForMs: opts.validForMs,
    ...(opts.transaction ? { transaction: opts.transaction } : {}),
  });
  let connected = false;
  let published = false;
  let settle: (outcome: SendOutcome) => void = () => undefined;
  const outcome = new Promise<SendOutcome>((resolve) => {
    settle = resolve;
  });
  const transport = new MqttTransport({
    config: opts.mqtt,
    clientId: `camwarden-operator-${request.transaction.slice(0, 8)}-${process.pid}`,
    logger: opts.logger,
    subscriptions: [responseTopic],
    backoffBaseMs: 250,
    backoffMaxMs: 2000,
    onConnect: async (session) => {
      connected = true;
      if (published) return;
      published = true;
      await session.publish(requestTopic, JSON.stringify(request));
    },
    onMessage: (topic, payload) => {
      if (topic !== responseTopic) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        return;
      }
      const response = responseSchema.safeParse(parsed);
      if (!response.success || response.data.transaction !== request.transaction) return;
      settle({ kind: 'response', request, response: response.data });
    },
  });
  const timer = setTimeout(() => settle({ kind: 'timeout', request, connected }), opts.timeoutMs);
  transport.start();
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
    await transport.stop();
  }
}
