import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/util/logger.js';

describe('logger redaction', () => {
  it('never prints passwords, digests, auth headers, keys or signatures', async () => {
    const sink = new PassThrough();
    let out = '';
    sink.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const logger = createLogger({ level: 'info', destination: sink });
    logger.info(
      {
        password: 'pw-top',
        onvif: { username: 'admin', password: 'pw-nested' },
        mqtt: { tls: { password: 'pw-deep' } },
        digest: 'digest-secret',
        headers: { authorization: 'Digest username="admin", response="abc"' },
        request: { signature: 'c2lnbmF0dXJl' },
        key: '-----BEGIN PRIVATE KEY-----',
      },
      'connect',
    );
    await new Promise((r) => setImmediate(r));
    for (const secret of [
      'pw-top',
      'pw-nested',
      'pw-deep',
      'digest-secret',
      'response="abc"',
      'c2lnbmF0dXJl',
      'PRIVATE KEY',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('admin');
    expect(out).toContain('[redacted]');
  });
});
