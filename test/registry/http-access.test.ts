import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { Queryable } from '../../src/registry/database.js';
import { assertSafeListen, isLoopback } from '../../src/registry/http-auth.js';
import { RegistryHttpServer } from '../../src/registry/http-server.js';
import { LiveUpdates } from '../../src/registry/live-updates.js';
import { embeddedDatabaseDir, Registry } from '../../src/registry/registry.js';
import { silentLogger } from '../../src/util/logger.js';

/** Who may read the registry: loopback by default, a bearer token anywhere else, refused without one. */

const TOKEN = 'test-token-0123456789abcdef';

// access is decided before any query: an empty database is enough
const emptyDb: Queryable = { query: async () => [], exec: async () => undefined };

const servers: RegistryHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(token?: string): Promise<string> {
  const server = new RegistryHttpServer('127.0.0.1:0', {
    db: emptyDb,
    logger: silentLogger(),
    live: new LiveUpdates(),
    rejects: () => ({}),
    ingest: () => ({ queued: 0, stored: 0, batches: 0, retries: 0 }),
    mqttConnected: () => true,
    token,
  });
  await server.start();
  servers.push(server);
  return server.url;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('listen address', () => {
  it('knows loopback from everything else, failing closed on names', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopback(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '', '::', '192.0.2.10', '10.0.0.1', 'registry.example', '::ffff:192.0.2.1']) {
      expect(isLoopback(host), host).toBe(false);
    }
  });

  it('refuses a non-loopback address without a token unless explicitly allowed', () => {
    for (const listen of ['0.0.0.0:8080', '[::]:8080', '192.0.2.10:8080', 'registry.example:8080']) {
      expect(() => assertSafeListen({ listen, allowUnauthenticated: false }), listen).toThrow(
        /CAMWARDEN_REGISTRY_TOKEN/,
      );
      expect(() => assertSafeListen({ listen, token: TOKEN, allowUnauthenticated: false })).not.toThrow();
      expect(() => assertSafeListen({ listen, allowUnauthenticated: true })).not.toThrow();
    }
    // ':8080' binds 127.0.0.1 (no host is loopback), so it needs no token
    for (const listen of ['127.0.0.1:8080', '[::1]:8080', 'localhost:0', ':8080']) {
      expect(() => assertSafeListen({ listen, allowUnauthenticated: false }), listen).not.toThrow();
    }
  });

  it('shows a bracketed IPv6 listen address once bracketed in its url', () => {
    const deps = {
      db: emptyDb,
      logger: silentLogger(),
      live: new LiveUpdates(),
      rejects: () => ({}),
      ingest: () => ({ queued: 0, stored: 0, batches: 0, retries: 0 }),
      mqttConnected: () => true,
    };
    expect(new RegistryHttpServer('[::1]:8080', deps).url).toBe('http://[::1]:0/');
    expect(new RegistryHttpServer(':8080', deps).url).toBe('http://127.0.0.1:0/');
  });

  it('is 127.0.0.1:8080 unless configured', () => {
    const config = configSchema.parse({ site: { id: 's', gatewayId: 'g' } });
    expect(config.registry.listen).toBe('127.0.0.1:8080');
    expect(config.registry.token).toBeUndefined();
    expect(config.registry.allowUnauthenticated).toBe(false);
  });

  it('a registry told to listen on 0.0.0.0 without a token refuses to start before opening its database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-reg-access-'));
    try {
      const config = configSchema.parse({
        site: { id: 'central', gatewayId: 'registry' },
        dataDir,
        mqtt: { url: 'mqtt://127.0.0.1:1' },
        registry: { listen: '0.0.0.0:0' },
      });
      const registry = new Registry({ config, logger: silentLogger() });
      await expect(registry.start()).rejects.toThrow(/0\.0\.0\.0:0 is reachable from the network/);
      expect(existsSync(embeddedDatabaseDir(dataDir))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('bearer token', () => {
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });

  it('without a token, serves everyone who can reach it (loopback)', async () => {
    const url = await serve();
    expect((await fetch(new URL('/api/sites', url))).status).toBe(200);
    expect((await fetch(url)).status).toBe(200);
  });

  it('with a token, answers 401 to every path without it, for pages and API alike', async () => {
    const url = await serve(TOKEN);
    for (const path of [
      '/',
      '/api/sites',
      '/api/events',
      '/fragment/fleet',
      '/assets/fleet.js',
      '/healthz',
      '/metrics',
    ]) {
      const res = await fetch(new URL(path, url));
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate'), path).toMatch(/Basic realm="camwarden registry"/);
      expect(await res.text(), path).not.toContain('camwarden fleet');
    }
    const wrong = [`Bearer ${TOKEN}x`, 'Bearer ', `Bearer ${TOKEN.slice(0, -1)}`, basic('u', 'nope'), TOKEN];
    for (const authorization of wrong) {
      const res = await fetch(new URL('/api/sites', url), { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
    }
  });

  it('with a token, serves a request that presents it as Bearer or as a Basic password', async () => {
    const url = await serve(TOKEN);
    const bearer = await fetch(new URL('/api/sites', url), { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toEqual([]);
    const page = await fetch(url, { headers: { authorization: basic('operator', TOKEN) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('camwarden fleet');
  });
});
