// Makes the V8 code caches of the bundled CLI (dist/bin/*.code-cache; src/cli/code-cache.ts reads them): runs one
// `camwarden scan` of the demo's simulated site (every vendor style, an NVR, blocked, flagged and allowed cameras)
// through the bundle, in this process, then writes the bytecode of every function it compiled. Loopback only: the
// simulated devices listen on 127.x addresses and the scan probes them by unicast.
// Run by scripts/bundle.mjs after each bundle. A cache is an optimisation: if training fails, this says so and the
// bin runs without caches (slower to start, same behaviour).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

const root = new URL('..', import.meta.url).pathname;
const { BundleLoader } = await import(join(root, 'dist', 'cli', 'code-cache.js'));
const { demoSite, startSimulatedSite } = await import(join(root, 'dist', 'simulator', 'index.js'));

function sink() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** One scan of a freshly started demo site on a random loopback /24; resolves with the devices it scanned. */
async function trainingScan(loader) {
  const base = `127.${20 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}.10`;
  const auth = { mode: 'both', username: 'admin', password: randomBytes(12).toString('base64url') };
  const site = await startSimulatedSite(demoSite(base, { auth, httpPort: 0 }));
  const work = mkdtempSync(join(tmpdir(), 'cw-code-cache-'));
  try {
    const last = site.devices.at(-1).spec.address;
    const out = sink();
    const err = sink();
    const { main } = loader.load(join(root, 'dist', 'bin', 'cli.js'));
    const io = {
      stdout: out.stream,
      stderr: err.stream,
      env: {
        PATH: process.env.PATH ?? '',
        CAMWARDEN_ONVIF_USERNAME: auth.username,
        CAMWARDEN_ONVIF_PASSWORD: auth.password,
        CAMWARDEN_DATA_DIR: join(work, 'data'),
      },
      cwd: work,
    };
    const code = await main(['scan', '--json', '--no-multicast', '--target', `${base}-${last.split('.')[3]}`], io);
    if (code !== 0) throw new Error(`the training scan exited ${code}: ${err.text().slice(-400)}`);
    const cameras = JSON.parse(out.text()).cameras.length;
    if (cameras < site.devices.length) throw new Error(`the training scan found ${cameras} of ${site.devices.length}`);
    return cameras;
  } finally {
    await site.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  const loader = new BundleLoader();
  const cameras = await trainingScan(loader);
  const bytes = loader.writeCaches();
  process.stdout.write(
    `code cache: ${loader.stats.files} files, ${Math.round(bytes / 1024)} KiB, from a scan of ${cameras} simulated devices\n`,
  );
} catch (err) {
  process.stderr.write(`code cache: not made (the bin runs without it, slower to start): ${err?.stack ?? err}\n`);
}
// The scan's sockets and timers belong to a command that has returned; do not wait for them.
process.exit(0);
