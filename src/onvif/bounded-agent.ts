import { type AgentOptions, type ClientRequest, Agent as HttpAgent } from 'node:http';
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
interface Guard {
  /** A kept-alive connection starts a new response: its byte count and deadline start again. */
  rearm(): void;
}

function guard(socket: Socket, limits: ResponseLimits, live: Set<Socket>): Guard {
  live.add(socket);
  let received = 0;
  let tail = '';
  const expire = (): void => {
    socket.destroy(new CamwardenError(ErrorCode.Timeout, `no complete answer within ${limits.deadlineMs} ms`));
  };
  let timer = setTimeout(expire, limits.deadlineMs);
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
  return {
    rearm() {
      received = 0;
      tail = '';
      clearTimeout(timer);
      timer = setTimeout(expire, limits.deadlineMs);
      timer.unref();
    },
  };
}

export interface GuardedAgent {
  readonly agent: HttpAgent;
  /** Destroys every open connection of this agent (device deadline reached, session closed). */
  destroyAll(): void;
}

const guards = new WeakMap<Socket, Guard>();

/**
 * One device session's connections: kept alive (CamClient sends its calls in turn over one), every response on a
 * reused connection gets the full limits again, and CamClient.close() destroys them all.
 */
export function createGuardedAgent(secure: boolean, limits: ResponseLimits): GuardedAgent {
  const live = new Set<Socket>();
  const options: AgentOptions = { keepAlive: true, maxSockets: 2, maxFreeSockets: 1 };
  const track = <S extends Socket>(socket: S): S => {
    guards.set(socket, guard(socket, limits, live));
    return socket;
  };
  let agent: HttpAgent;
  if (secure) {
    // Cameras ship self-signed certificates; TLS still keeps credentials off the wire.
    agent = new (class extends HttpsAgent {
      override createConnection(opts: object): TLSSocket {
        return track(tlsConnect({ ...(opts as object), rejectUnauthorized: false }));
      }
      override reuseSocket(socket: Socket, req: ClientRequest): void {
        guards.get(socket)?.rearm();
        super.reuseSocket(socket, req);
      }
    })(options);
  } else {
    agent = new (class extends HttpAgent {
      override createConnection(opts: object): Socket {
        return track(createConnection(opts as NetConnectOpts));
      }
      override reuseSocket(socket: Socket, req: ClientRequest): void {
        guards.get(socket)?.rearm();
        super.reuseSocket(socket, req);
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
