import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuditSink } from '../../src/audit/audit-sink.js';
import { configSchema } from '../../src/config/schema.js';
import { Outbox } from '../../src/reporting/outbox.js';
import { Reporter } from '../../src/reporting/reporter.js';
import { silentLogger } from '../../src/util/logger.js';
import { type Certs, generateCerts, startMosquitto, type TestBroker } from '../helpers/brokers.js';
import { mosquittoAvailable, requireCapability } from '../helpers/capabilities.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  async function tryConnect(tls: { caFile: string; certFile: string; keyFile: string }): Promise<boolean> {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-rep-tls-'));
    dirs.push(dataDir);
    const config = configSchema.parse({
      site: { id: 's1', gatewayId: 'gw1' },
      dataDir,
      mqtt: { url: broker.url, ...tls },
    });
    const logger = silentLogger();
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
    let connected = false;
    for (let i = 0; i < 40 && !connected; i++) {
      await sleep(50);
      connected = reporter.health().connected === true;
    }
    // the agent keeps working while refused: events still go to the outbox
    await outbox.emit('scan.completed', { n: 1 });
    await reporter.stop();
    return connected;
  }

  it('connects with the right CA and a valid client certificate', async () => {
    expect(await tryConnect({ caFile: certs.ca, certFile: certs.clientCert, keyFile: certs.clientKey })).toBe(true);
  });
  it('refuses a broker certificate from the wrong CA', async () => {
    expect(await tryConnect({ caFile: certs.wrongCa, certFile: certs.clientCert, keyFile: certs.clientKey })).toBe(
      false,
    );
  });
  it('is refused with an expired client certificate', async () => {
    expect(await tryConnect({ caFile: certs.ca, certFile: certs.expiredCert, keyFile: certs.expiredKey })).toBe(false);
  });
});
