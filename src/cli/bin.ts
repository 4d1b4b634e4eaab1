#!/usr/bin/env node
// The package's bin, in the bundle only (scripts/bundle.mjs makes it dist/bin/camwarden.js, next to cli.js, the
// bundled ./main.ts): runs the command line from the V8 code caches the build made, so a command starts without
// parsing and compiling most of its code again (./code-cache.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleLoader } from './code-cache.js';

const cli = new BundleLoader().load(
  join(dirname(fileURLToPath(import.meta.url)), 'cli.js'),
) as typeof import('./main.js');
cli.runAsProcess(process.argv.slice(2));
