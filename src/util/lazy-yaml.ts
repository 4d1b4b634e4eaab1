import { createRequire } from 'node:module';

/**
 * The YAML parser, loaded on first use: most runs read no YAML (no config file, profiles from their cache) and start
 * faster without it. Through `require`, not `import()`: the bundled bin runs as vm scripts, which cannot `import()`
 * on Node 20 without a flag (src/cli/code-cache.ts).
 */
export function yamlParser(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}
