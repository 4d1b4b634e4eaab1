import { generateKeyPairSync } from 'node:crypto';
import { appendFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfileSet, ProfileValidationError, signBundle } from '../../src/profiles/index.js';

const BUNDLED = resolve(import.meta.dirname, '../../device-profiles');
const tmpDirs: string[] = [];
async function tmp(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cw-bundle-'));
  tmpDirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function keyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

async function setup(): Promise<{ dir: string; keysFile: string; privatePem: string }> {
  const dir = await tmp();
  const keysDir = await tmp();
  await cp(BUNDLED, dir, { recursive: true });
  const k = keyPair();
  const keysFile = join(keysDir, 'keys.pem');
  await writeFile(keysFile, k.publicPem);
  return { dir, keysFile, privatePem: k.privatePem };
}

async function problemsOf(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileValidationError);
    return (err as ProfileValidationError).problems;
  }
  throw new Error('expected the bundle to be refused');
}

describe('signed bundles', () => {
  it('a good signature loads and is marked signed', async () => {
    const { dir, keysFile, privatePem } = await setup();
    await signBundle(dir, privatePem);
    const set = await loadProfileSet(dir, { keysFile });
    expect(set.signed).toBe(true);
  });

  it('an unsigned bundle is refused when keys are configured', async () => {
    const { dir, keysFile } = await setup();
    const problems = await problemsOf(loadProfileSet(dir, { keysFile }));
    expect(problems.join('\n')).toMatch(/unsigned/);
  });

  it('a tampered file is refused and named', async () => {
    const { dir, keysFile, privatePem } = await setup();
    await signBundle(dir, privatePem);
    await appendFile(join(dir, 'vendors', 'axis.yaml'), '\n# tampered\n');
    const problems = await problemsOf(loadProfileSet(dir, { keysFile }));
    expect(problems.join('\n')).toMatch(/axis\.yaml.*does not match/);
  });

  it('a signature by another key is refused', async () => {
    const { dir, keysFile } = await setup();
    await signBundle(dir, keyPair().privatePem);
    const problems = await problemsOf(loadProfileSet(dir, { keysFile }));
    expect(problems.join('\n')).toMatch(/does not verify/);
  });
});
