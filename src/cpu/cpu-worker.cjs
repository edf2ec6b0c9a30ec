// Entry point of cpu-pool.ts's worker threads. A worker does not always inherit a TypeScript
// loader (`npm start` passes `--import tsx` on to it, a test runner's threads do not), so it loads
// the TypeScript tasks through tsx's API, which works either way.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./cpu-tasks.ts', __filename);
