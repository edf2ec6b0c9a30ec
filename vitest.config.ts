import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // type-graphql is CommonJS and requires graphql's CJS entry; vite would otherwise hand the
    // tests graphql's ESM entry and two copies of graphql end up in one process
    // ("Cannot use GraphQLObjectType from another module or realm").
    alias: { graphql: path.resolve(__dirname, 'node_modules/graphql/index.js') },
  },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
