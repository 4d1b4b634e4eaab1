import { type AgentOptions, Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export interface ResponseLimits {
  /** Bytes a single connection may receive (headers + body) before it is destroyed. */
  maxBytes: number;
  /** Hard lifetime of one connection, ms: a device trickling one byte a second cannot hold us. */
  deadlineMs: number;
}

const DTD_AT_WIRE = /<!\s*(DOCTYPE|ENTITY)/i;

/**
 * Guards a device connection at the socket, before the onvif package buffers anything: it counts bytes, refuses a
 * DOCTYPE/ENTITY the moment it appears and enforces a deadline. A violation destroys the socket with a
 * CamwardenError, which the request surfaces as its error. This is what bounds memory for a 30 MB body:
 * the package's own `rawResponse` only fires after the whole body is in memory.
 */
function guard(socket: Socket, limits: ResponseLimits, live: Set<Socket>): void {
  live.add(socket);
  let received = 0;
  let tail = '';
  const timer = setTimeout(() => {
    socket.destroy(new CamwardenError(ErrorCode.Timeout, `no complete answer within ${limits.deadlineMs} ms`));
  }, limits.deadlineMs);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > limits.maxBytes) {
      socket.destroy(
        new CamwardenError(ErrorCode.ResponseTooLarge, `response exceeds the ${limits.maxBytes}-byte cap`),
      );
      return;
    }
    const text = tail + chunk.toString('latin1');
    if (DTD_AT_WIRE.test(text)) {
      socket.destroy(
        new CamwardenError(ErrorCode.DoctypeRefused, 'response with a DOCTYPE/ENTITY declaration refused'),
      );
      return;
    }
    tail = text.slice(-16);
  });
  socket.once('close', () => {
    clearTimeout(timer);
    live.delete(socket);
  });
}

export interface GuardedAgent {
  readonly agent: HttpAgent;
  /** Destroys every open connection of this agent (device deadline reached, session closed). */
  destroyAll(): void;
}

export function createGuardedAgent(secure: boolean, limits: ResponseLimits): GuardedAgent {
  const live = new Set<Socket>();
  const options: AgentOptions = { keepAlive: false, maxSockets: 8 };
  let agent: HttpAgent;
  if (secure) {
    // Cameras ship self-signed certificates; TLS still keeps credentials off the wire.
    agent = new (class extends HttpsAgent {
      override createConnection(opts: object): TLSSocket {
        const socket = tlsConnect({ ...(opts as object), rejectUnauthorized: false });
        guard(socket, limits, live);
        return socket;
      }
    })(options);
  } else {
    agent = new (class extends HttpAgent {
      override createConnection(opts: object): Socket {
        const socket = createConnection(opts as NetConnectOpts);
        guard(socket, limits, live);
        return socket;
      }
    })(options);
  }
  return {
    agent,
    destroyAll() {
      for (const s of live) s.destroy();
      live.clear();
    },
  };
}
