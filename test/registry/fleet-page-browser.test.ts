import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agent/agent.js';
import { createAgent } from '../../src/agent/create-agent.js';
import { loadConfig } from '../../src/config/load-config.js';
import { Registry } from '../../src/registry/registry.js';
import { type SimulatedSite, startSimulatedSite } from '../../src/simulator/index.js';
import { createLogger, silentLogger } from '../../src/util/logger.js';
import { startBroker, type TestBroker } from '../helpers/brokers.js';
import { browserAvailable, CHROMIUM_BIN, mosquittoAvailable, requireCapability } from '../helpers/capabilities.js';

/**
 * The fleet page in headless Chromium while a real agent scans the simulator through mosquitto: the blocked
 * camera appears without a reload, a hostile device name renders as text, and the site report opens.
 */
const enabled =
  requireCapability('browser', browserAvailable()) && requireCapability('mosquitto', mosquittoAvailable());

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// loopback addresses of our own (Linux routes all of 127/8 to lo), derived from the pid so runs never collide
const NET = `127.${100 + (process.pid % 100)}.${1 + ((process.pid >> 7) % 250)}`;
const HOSTILE_MAKER = '<script>window.__pwned = 1</script>';
const HOSTILE_MODEL = '<img src=x onerror="window.__pwned = 2">';

describe.runIf(enabled)('fleet page in a browser (chromium, mosquitto, simulator, agent)', () => {
  const work = mkdtempSync(join(tmpdir(), 'cw-browser-'));
  const logger = process.env.CW_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger();
  let broker: TestBroker;
  let site: SimulatedSite;
  let registry: Registry;
  let agent: Agent | undefined;
  let browser: BrowserContext;

  beforeAll(async () => {
    broker = await startBroker('mosquitto');
    site = await startSimulatedSite({
      devices: [
        {
          name: 'toilet',
          vendor: 'hikvision',
          address: `${NET}.10`,
          httpPort: 0,
          endpoint: 'urn:uuid:0b000000-0000-4000-8000-000000000010',
          manufacturer: HOSTILE_MAKER,
          model: HOSTILE_MODEL,
          scopes: ['onvif://www.onvif.org/location/zone/toilet'],
        },
        {
          name: 'lobby',
          vendor: 'axis',
          address: `${NET}.11`,
          httpPort: 0,
          endpoint: 'urn:uuid:0b000000-0000-4000-8000-000000000011',
          scopes: ['onvif://www.onvif.org/location/zone/public-other'],
        },
      ],
    });
    const env = {
      CAMWARDEN_SITE_ID: 'browser-site',
      CAMWARDEN_GATEWAY_ID: 'browser-gw',
      CAMWARDEN_MQTT_URL: broker.url,
      CAMWARDEN_PROBE_TARGETS: `${NET}.10-11`,
      CAMWARDEN_MULTICAST: '0',
      CAMWARDEN_SCAN_SCHEDULE: '0 0 1 1 *',
      CAMWARDEN_LOG_LEVEL: 'silent',
    };
    const registryConfig = loadConfig(
      { ...env, CAMWARDEN_DATA_DIR: join(work, 'registry'), CAMWARDEN_REGISTRY_LISTEN: '127.0.0.1:0' },
      work,
    ).config;
    registry = new Registry({ config: registryConfig, logger, backoffBaseMs: 50 });
    await registry.start();
    const agentConfig = loadConfig({ ...env, CAMWARDEN_DATA_DIR: join(work, 'agent') }, work).config;
    agentConfig.discovery.timeoutMs = 1000;
    agent = createAgent({
      config: agentConfig,
      logger,
      version: 'browser-test',
      hello: false,
      // scan in this process (the worker process needs dist/); this test is about the registry
      scanOverrides: {},
      // loopback cameras are never firewalled: an nft stand-in, as in the demo
      nft: async (args) => ({ stdout: args[0] === '-j' ? '{"nftables":[]}' : '', stderr: '' }),
    });
    browser = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
      executablePath: CHROMIUM_BIN ?? 'chromium',
      headless: true,
      args: CHROMIUM_FLAGS,
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    await registry?.stop().catch(() => undefined);
    await site?.stop().catch(() => undefined);
    await broker?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the blocked camera as it appears, renders device strings as text, and opens the site report', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(registry.url);
    await page.waitForSelector('#live-state:has-text("live")', { timeout: 20_000 });
    expect(await page.locator('#needing-action tr[data-action="block"]').count()).toBe(0);
    // proves later content came from a live update: a full reload would drop this marker
    await page.evaluate(() => {
      (globalThis as unknown as { marker: string }).marker = 'same page';
    });

    await agent?.start();
    const row = page.locator('#needing-action tr[data-action="block"]');
    await row.first().waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe('same page');
    const rowText = (await row.first().textContent()) ?? '';
    expect(rowText).toContain('toilet');
    expect(rowText).toContain('Article 8');
    // the device's own strings are shown literally and never run
    expect(rowText).toContain(HOSTILE_MAKER);
    expect(rowText).toContain(HOSTILE_MODEL);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('#live img').count()).toBe(0);
    expect(await page.locator('#live script').count()).toBe(0);
    await page.locator('#gateways tr[data-gateway="browser-gw"] .state-online').waitFor({ timeout: 20_000 });

    await page.locator('#sites a.report-link').first().click();
    await page.waitForSelector('h1:has-text("Compliance report: site browser-site")');
    const report = page.locator('#cameras tr[data-action="block"]');
    const reportText = (await report.first().textContent()) ?? '';
    expect(reportText).toContain('prohibited-zone');
    expect(reportText).toContain('Article 8');
    expect(reportText).toContain(HOSTILE_MAKER);
    for (const duty of ['filing', 'signage', 'consent', 'retention', 'enforcement']) {
      expect(await page.locator(`#duty-${duty}`).count(), duty).toBe(1);
    }
    expect(await page.locator('#report-gateways .audit-head').textContent()).toMatch(/[0-9a-f]{64}|not reported/);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
  }, 120_000);
});
