import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { MemoryAuditSink } from '../../src/model/audit-sink.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { Reporter } from '../../src/reporting/reporter.js';
import { createLogger } from '../../src/util/logger.js';
import { type Certs, generateCerts, startMosquitto, type TestBroker } from '../helpers/brokers.js';
import { mosquittoAvailable, requireCapability } from '../helpers/capabilities.js';
import { waitFor } from '../helpers/wait-for.js';

interface LogLine {
  msg: string;
  err?: unknown;
}

describe.runIf(requireCapability('mosquitto', mosquittoAvailable()))('mutual TLS against mosquitto', () => {
  let certs: Certs;
  let broker: TestBroker;
  const dirs: string[] = [];
  beforeAll(async () => {
    certs = generateCerts('gw1');
    // the shipped ACL file must load in a real mosquitto
    broker = await startMosquitto({ tls: certs, aclFile: join(process.cwd(), 'deploy/mosquitto/camwarden.acl') });
  });
  afterAll(async () => {
    await broker?.close();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /**
   * Starts a reporter with `tls` and returns what its transport logged of each attempt: `mqtt: connected` once the
   * broker accepted it, `mqtt: connection closed` for each one that ended (a refused one ends before CONNACK);
   * and the outbox depth after one event was emitted.
   */
  async function attempt(
    tls: { caFile: string; certFile: string; keyFile: string },
    until: (log: LogLine[]) => boolean,
  ): Promise<{ log: LogLine[]; depth: number }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-rep-tls-'));
    dirs.push(dataDir);
    const config = configSchema.parse({
      site: { id: 's1', gatewayId: 'gw1' },
      dataDir,
      mqtt: { url: broker.url, ...tls },
    });
    const log: LogLine[] = [];
    const destination = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) log.push(JSON.parse(line));
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    const outbox = new Outbox({ dataDir, logger, alarmEvents: 1000, maxEvents: 2000 });
    const reporter = new Reporter({
      config,
      logger,
      outbox,
      audit: new MemoryAuditSink(),
      version: 't',
      backoffBaseMs: 50,
      backoffMaxMs: 200,
    });
    await reporter.start();
    try {
      await waitFor('the connection attempts', () => (until(log) ? true : undefined), 30_000);
      // connected, an event is delivered; refused, the agent keeps working and the event waits in the outbox
      await outbox.emit('scan.completed', { cameras: 1, errors: 0, policyRevision: 'r' });
      if (connected(log)) await waitFor('the event delivered', () => (outbox.stats().depth === 0 ? true : undefined));
      return { log, depth: outbox.stats().depth };
    } finally {
      await reporter.stop();
    }
  }
  const connected = (log: LogLine[]) => log.some((l) => l.msg === 'mqtt: connected');
  const closed = (log: LogLine[]) => log.filter((l) => l.msg === 'mqtt: connection closed').length;
  const errors = (log: LogLine[]) => log.filter((l) => l.msg === 'mqtt: error').map((l) => String(l.err));

  it('connects with the right CA and a valid client certificate', async () => {
    const { log, depth } = await attempt(
      { caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey },
      connected,
    );
    expect(connected(log)).toBe(true);
    expect(depth).toBe(0);
  });
  it('refuses a broker certificate from the wrong CA', async () => {
    const { log, depth } = await attempt(
      { caFile: certs.wrongCa, certFile: certs.clientCert, keyFile: certs.clientKey },
      (l) => connected(l) || closed(l) >= 3,
    );
    expect(connected(log)).toBe(false);
    // the agent does not trust the broker's certificate
    expect(errors(log).join('\n')).toMatch(/self[- ]signed certificate|unable to get local issuer|unable to verify/);
    expect(depth).toBe(1);
  });
  it('is refused with an expired client certificate', async () => {
    const { log, depth } = await attempt(
      { caFile: certs.ca, certFile: certs.expiredCert, keyFile: certs.expiredKey },
      (l) => connected(l) || closed(l) >= 3,
    );
    expect(connected(log)).toBe(false);
    // the broker's TLS alert
    expect(errors(log).join('\n')).toMatch(/certificate expired/);
    expect(depth).toBe(1);
  });
});
