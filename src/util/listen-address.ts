import { ErrorCode, UsageError } from './errors.js';

/**
 * Where a server binds, from `host:port` (`http.listen`, `registry.listen`, `--listen`): IPv6 brackets stripped,
 * no host (`:8080`, or a bare port `8080`) is 127.0.0.1. The port is range-checked when the server binds.
 */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(listen);
  if (!match) {
    throw new UsageError(`listen address ${listen}: expected host:port, e.g. 127.0.0.1:8080`, ErrorCode.InvalidConfig);
  }
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '127.0.0.1' : host, port: Number(match[2]) };
}
