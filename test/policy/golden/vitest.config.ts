import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Only the recorder: `npm run record:policy-golden`. The default config never picks it up (not *.test.ts).
export default defineConfig({
  root: fileURLToPath(new URL('../../..', import.meta.url)),
  test: { include: ['test/policy/golden/record-golden.ts'], testTimeout: 120_000 },
});
