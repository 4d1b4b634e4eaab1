import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listBundleFiles, MANIFEST_FILE, SIGNATURE_FILE } from '../profiles/bundle.js';

/**
 * `profiles/apply` args.files from a device-profiles directory: every regular file as text by relative path,
 * the manifest and its signature included when the directory was signed (`camwarden profiles sign`).
 */
export async function bundleFilesArg(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const paths = await listBundleFiles(dir);
  for (const extra of [MANIFEST_FILE, SIGNATURE_FILE]) {
    try {
      files[extra] = await readFile(join(dir, extra), 'utf8');
    } catch {
      // unsigned directory: the gateway decides whether it accepts that
    }
  }
  for (const rel of paths) files[rel] = await readFile(join(dir, rel), 'utf8');
  return files;
}
