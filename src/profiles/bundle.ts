/**
 * Signed profile bundles: `manifest.json` {revision, signedAt, files: {relpath: sha256hex}} and `manifest.sig`
 * (base64 Ed25519 over the exact manifest bytes). With keys configured, anything but an exact match is refused
 * (fail closed): unsigned, bad signature, a changed, missing or extra file.
 */
import { createHash, createPrivateKey, type KeyObject, sign, verify } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CamwardenError, ErrorCode } from '../util/errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export interface BundleManifest {
  revision: string;
  signedAt: string;
  files: Record<string, string>;
}

/** Every regular file below dir as a `/`-separated relative path, sorted; manifest files excluded. */
export async function listBundleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const rel = relative(dir, join(e.parentPath, e.name)).split(sep).join('/');
    if (rel === MANIFEST_FILE || rel === SIGNATURE_FILE) continue;
    out.push(rel);
  }
  return out.sort();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes manifest.json + manifest.sig for dir (for operators and tests). Returns the manifest. */
export async function signBundle(dir: string, privateKey: KeyObject | string): Promise<BundleManifest> {
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const files: Record<string, string> = {};
  const revisionHash = createHash('sha256');
  for (const rel of await listBundleFiles(dir)) {
    const data = await readFile(join(dir, rel));
    files[rel] = sha256Hex(data);
    revisionHash.update(rel).update('\0').update(data).update('\0');
  }
  const manifest: BundleManifest = {
    revision: revisionHash.digest('hex').slice(0, 16),
    signedAt: new Date().toISOString(),
    files,
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  await writeFile(join(dir, MANIFEST_FILE), bytes);
  await writeFile(join(dir, SIGNATURE_FILE), `${sign(null, bytes, key).toString('base64')}\n`);
  return manifest;
}

/** Problems with dir as a signed bundle under keys; empty = verified. */
export async function verifyBundle(dir: string, keys: KeyObject[]): Promise<string[]> {
  let bytes: Buffer;
  let sigText: string;
  try {
    bytes = await readFile(join(dir, MANIFEST_FILE));
  } catch {
    return [`${MANIFEST_FILE}: (root): unsigned bundle refused: profile keys are configured but there is no manifest`];
  }
  try {
    sigText = (await readFile(join(dir, SIGNATURE_FILE), 'utf8')).trim();
  } catch {
    return [`${SIGNATURE_FILE}: (root): unsigned bundle refused: no signature`];
  }
  const sig = Buffer.from(sigText, 'base64');
  const good = keys.some((k) => {
    try {
      return verify(null, bytes, k, sig);
    } catch {
      return false;
    }
  });
  if (!good) return [`${SIGNATURE_FILE}: (root): signature does not verify with any configured profile key`];
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(bytes.toString('utf8')) as BundleManifest;
    if (!manifest || typeof manifest.files !== 'object' || manifest.files === null) {
      throw new CamwardenError(ErrorCode.InvalidProfile, 'no files');
    }
  } catch (err) {
    return [`${MANIFEST_FILE}: files: malformed manifest (${(err as Error).message})`];
  }
  const problems: string[] = [];
  const present = await listBundleFiles(dir);
  const listed = new Set(Object.keys(manifest.files));
  for (const rel of present) {
    if (!listed.has(rel)) {
      problems.push(`${rel}: (root): file not in the signed manifest`);
      continue;
    }
    const hash = sha256Hex(await readFile(join(dir, rel)));
    if (hash !== manifest.files[rel]) problems.push(`${rel}: (root): content does not match the signed manifest`);
  }
  const presentSet = new Set(present);
  for (const rel of listed)
    if (!presentSet.has(rel)) problems.push(`${rel}: (root): listed in the manifest but missing`);
  return problems;
}
