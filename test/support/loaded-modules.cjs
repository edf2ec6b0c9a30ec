// Preloaded into a server under test (NODE_OPTIONS="--require <this file>"): when a process exits it
// writes the modules it loaded, CommonJS ones from require.cache and ES modules seen by a load hook,
// to $CLAIMGRAPH_LOADED_MODULES_DIR/<pid>.json, with its parent's pid and whether it is a cluster
// worker. test/cluster-primary.test.ts reads them.
const fs = require('node:fs');
const path = require('node:path');
const cluster = require('node:cluster');
const { register } = require('node:module');
const { isMainThread } = require('node:worker_threads');

const directory = process.env.CLAIMGRAPH_LOADED_MODULES_DIR;
if (directory && isMainThread) {
  const esmLog = path.join(directory, `${process.pid}.esm`);
  const hook = `import fs from 'node:fs';
export async function load(url, context, next) {
  fs.appendFileSync(${JSON.stringify(esmLog)}, url + '\\n');
  return next(url, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  process.on('exit', () => {
    const esm = fs.existsSync(esmLog) ? fs.readFileSync(esmLog, 'utf8').split('\n').filter(Boolean) : [];
    fs.writeFileSync(
      path.join(directory, `${process.pid}.json`),
      JSON.stringify({
        pid: process.pid,
        ppid: process.ppid,
        clusterWorker: cluster.isWorker,
        modules: [...Object.keys(require.cache), ...esm],
      }),
    );
  });
}
