import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/util/errors.js';
import { parseListen } from '../../src/util/listen-address.js';

describe('parseListen', () => {
  it('splits host:port, strips IPv6 brackets and binds no host to loopback', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen('[::]:8080')).toEqual({ host: '::', port: 8080 });
    expect(parseListen('registry.example:443')).toEqual({ host: 'registry.example', port: 443 });
    expect(parseListen(':8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('refuses an address without a port', () => {
    for (const listen of ['', 'localhost', '127.0.0.1:', '[::1]', '127.0.0.1:http']) {
      expect(() => parseListen(listen), listen).toThrow(expect.objectContaining({ code: ErrorCode.InvalidConfig }));
    }
  });
});
