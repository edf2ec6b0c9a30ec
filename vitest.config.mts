import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    // type-graphql is CommonJS and requires graphql's CJS entry; vite would hand the tests the ESM
    // entry, and two copies of graphql in one process fail with "Cannot use GraphQLObjectType
    // from another module or realm".
    alias: { graphql: path.join(root, 'node_modules/graphql/index.js') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The slow fault-injection suite (kill -9, Postgres restarts, 60-second load) runs by itself:
    // `npm run test:faults` (vitest.faults.config.mts).
    exclude: ['test/faults/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Each file gets its own database, so files run in parallel safely.
    fileParallelism: true,
  },
});
