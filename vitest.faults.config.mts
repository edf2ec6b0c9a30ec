import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The fault-injection suite (`npm run test:faults`): servers as child processes killed with
 * SIGKILL, an embedded Postgres stopped and started under load, a 60-second load run. One file at
 * a time, so load and latency figures are not disturbed by other files. Same database set-up as
 * vitest.config.mts (a migrated template, a copy per file).
 */
export default defineConfig({
  resolve: {
    alias: { graphql: path.join(root, 'node_modules/graphql/index.js') },
  },
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
