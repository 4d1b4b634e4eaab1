import type { z } from 'zod';
import type {
  CameraPayload,
  EventPayload,
  InventoryPayload,
  ResponsePayload,
  requestSchema,
  StatusPayload,
} from '../reporting/schemas/index.js';

export type RequestPayload = z.infer<typeof requestSchema>;

/** Why a message was refused; counted per reason (GET /api/rejects, /metrics) and logged. */
export type RejectReason =
  | 'too-large'
  | 'unknown-topic'
  | 'invalid-topic-id'
  | 'empty-payload'
  | 'malformed-json'
  | 'too-deep'
  | 'unstorable-text'
  | 'invalid-status'
  | 'invalid-inventory'
  | 'invalid-camera'
  | 'invalid-event'
  | 'invalid-request'
  | 'invalid-response'
  | 'id-mismatch'
  | 'store-failed';

interface From {
  site: string;
  gateway: string;
  /** When the registry received it (last seen). */
  receivedAt: Date;
}

/** One validated message, ready to store. */
export type IngestItem = From &
  (
    | { kind: 'status'; status: StatusPayload }
    | { kind: 'will'; bootId: string }
    | { kind: 'inventory'; inventory: InventoryPayload }
    | { kind: 'camera'; cameraId: string; record: CameraPayload | null }
    | { kind: 'event'; event: EventPayload }
    | {
        kind: 'request';
        op: string;
        request: RequestPayload;
        retained: boolean;
        /** Which delivery this was (session and packet id): the same when the broker delivers it again. */
        delivery?: string | undefined;
      }
    | {
        kind: 'response';
        op: string;
        response: ResponsePayload;
        /** As for a request: names the delivery, which a redelivery keeps. */
        delivery?: string | undefined;
      }
  );
