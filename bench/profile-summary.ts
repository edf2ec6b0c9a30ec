import fs from 'node:fs';
import path from 'node:path';

/**
 * `npx tsx bench/profile-summary.ts <file.cpuprofile> [top | --callers <function> [depth]]`: where a --cpu-prof profile of the
 * server spent its time, by function (self time) and by package/file (self time), with the
 * inclusive time of the functions that matter most. `npm run bench -- --profile --only a` writes
 * the profiles to bench/results/profiles/.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (!url) return '(native/idle)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/src/');
  return src >= 0 ? url.slice(src + 1) : path.basename(url);
}

export function summarise(profile: Profile, top = 40): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  for (const [index, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const idle = [...self.entries()].filter(([id]) => ['(idle)', '(program)', '(garbage collector)'].includes(byId.get(id)!.callFrame.functionName));
  const bySelf = new Map<string, number>();
  const byArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id)!;
    const key = `${node.callFrame.functionName || '(anonymous)'} ${area(node.callFrame.url)}:${node.callFrame.lineNumber + 1}:${node.callFrame.columnNumber + 1}`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + time);
    const areaKey = node.callFrame.url ? area(node.callFrame.url) : node.callFrame.functionName;
    byArea.set(areaKey, (byArea.get(areaKey) ?? 0) + time);
    // inclusive time per function: count each function once per sample stack
    const seen = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor)!.callFrame;
      const name = `${frame.functionName || '(anonymous)'} ${area(frame.url)}:${frame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + time);
    }
  }
  const percent = (value: number) => `${((100 * value) / total).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([key, value]) => `${percent(value)}  ${key}`)
      .join('\n');
  // Coarse buckets of busy (non-idle) self time, for "where does a request's CPU go".
  const bucket = (node: ProfileNode): string => {
    const { url, functionName } = node.callFrame;
    const where = area(url);
    if (functionName === '(idle)' || functionName === '(program)') return '';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (/^(graphql|type-graphql|@apollo\/server|graphql-scalars|dataloader|graphql-jit)$/.test(where))
      return 'GraphQL execution (graphql, type-graphql, Apollo, DataLoader)';
    if (
      /^(pg|pg-protocol|pg-types|postgres-date|postgres-array|pg-pool)$/.test(where) ||
      /^(writev|writeBuffer|utf8Slice|base64urlSlice|latin1Slice)$/.test(functionName) ||
      /^node:(buffer|net|internal\/stream|internal\/buffer)/.test(where)
    )
      return 'Postgres protocol, sockets, buffers';
    if (where === 'typeorm') return 'TypeORM';
    if (where.startsWith('src/')) return `claimgraph code (${where.startsWith('src/shared') || where.startsWith('src/db') ? 'shared, db' : 'modules'})`;
    if (
      /^(express|router|body-parser|raw-body|@as-integrations\/express5|send|on-finished|finalhandler|iconv-lite)$/.test(where) ||
      where === 'node:_http_server' ||
      where === 'node:_http_outgoing'
    )
      return 'HTTP (express, body parsing)';
    if (/tsx|modules\/(cjs|esm)|package_json|node:path|node:fs|wrapSafe|compileFunction/.test(`${where} ${functionName}`)) return 'module loading (start-up)';
    return 'other (microtasks, runtime, libraries)';
  };
  const buckets = new Map<string, number>();
  let busy = 0;
  for (const [id, time] of self) {
    const name = bucket(byId.get(id)!);
    if (!name) continue;
    busy += time;
    buckets.set(name, (buckets.get(name) ?? 0) + time);
  }
  const busyList = [...buckets.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([key, value]) => `${((100 * value) / busy).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
  return [
    '== busy time by area ==',
    busyList,
    '',
    `total ${(total / 1e6).toFixed(1)} s sampled; idle/program/GC: ${idle.map(([id, time]) => `${byId.get(id)!.callFrame.functionName} ${percent(time)}`).join(', ')}`,
    '\n== self time by package / file ==',
    list(byArea, 25),
    '\n== self time by function ==',
    list(bySelf, top),
    '\n== inclusive time by function ==',
    list(inclusive, top),
  ].join('\n');
}

/** Who calls `name` (by inclusive time of the calling stacks, `depth` frames up). */
export function callers(profile: Profile, name: string, depth = 4, top = 15): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  for (const [index, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  const total = [...self.values()].reduce((sum, value) => sum + value, 0);
  const frame = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'} ${area(url)}:${lineNumber + 1}`;
  };
  const stacks = new Map<string, number>();
  for (const [id, time] of self) {
    let cursor: number | undefined = id;
    while (cursor !== undefined && !frame(cursor).startsWith(`${name} `)) cursor = parent.get(cursor);
    if (cursor === undefined) continue;
    const chain: string[] = [];
    for (let up = parent.get(cursor), n = 0; up !== undefined && n < depth; up = parent.get(up), n++) chain.push(frame(up));
    const key = chain.join(' <- ');
    stacks.set(key, (stacks.get(key) ?? 0) + time);
  }
  return [...stacks.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, value]) => `${((100 * value) / total).toFixed(1).padStart(5)}%  ${key}`)
    .join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  const callersOf = process.argv.indexOf('--callers');
  if (callersOf > 0) {
    console.log(callers(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, process.argv[callersOf + 1], Number(process.argv[callersOf + 2] ?? 4)));
    process.exit(0);
  }
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, Number(top ?? 40)));
}
