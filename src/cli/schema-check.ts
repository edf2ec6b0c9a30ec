import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildSchema, findBreakingChanges, findDangerousChanges } from 'graphql';

/**
 * `npm run schema:check`: the committed SDL against a base SDL, with graphql-js's own
 * findBreakingChanges / findDangerousChanges. A breaking change fails the check unless
 * schema/CHANGES.md names its schema coordinate (`Claim.note`, `Query.claims(filter:)`, `Rating.MIXED`)
 * in backticks, so front-end teams read about every break before it reaches them.
 */

const root = path.resolve(__dirname, '../..');
const SDL_PATH = 'schema/schema.graphql';
const CHANGES_PATH = 'schema/CHANGES.md';

export interface SchemaChange {
  type: string;
  description: string;
  /** The schema coordinate an announcement in CHANGES.md names. */
  coordinate: string;
}

export interface SchemaCheckResult {
  breaking: SchemaChange[];
  /** Breaking changes CHANGES.md does not name: these fail the check. */
  unannounced: SchemaChange[];
  dangerous: SchemaChange[];
}

/** The coordinate of a change, read from graphql-js's description of it. */
export function coordinateOf(description: string): string {
  const patterns: [RegExp, (match: RegExpExecArray) => string][] = [
    [/^A required arg (\w+) on (\w+)\.(\w+) was added/, (m) => `${m[2]}.${m[3]}(${m[1]}:)`],
    [/^(\w+)\.(\w+) arg (\w+) /, (m) => `${m[1]}.${m[2]}(${m[3]}:)`],
    [/^A required field (\w+) on input type (\w+)/, (m) => `${m[2]}.${m[1]}`],
    [/^(\w+) was removed from enum type (\w+)/, (m) => `${m[2]}.${m[1]}`],
    [/^(\w+) was removed from union type (\w+)/, (m) => `${m[2]}`],
    [/^An optional field (\w+) on input type (\w+)/, (m) => `${m[2]}.${m[1]}`],
    [/^An optional arg (\w+) on (\w+)\.(\w+)/, (m) => `${m[2]}.${m[3]}(${m[1]}:)`],
    [/^(\w+) was added to enum type (\w+)/, (m) => `${m[2]}.${m[1]}`],
    [/^(\w+) was added to union type (\w+)/, (m) => `${m[2]}`],
    [/^(\w+) added to interfaces implemented by (\w+)/, (m) => `${m[2]}`],
    [/^(\w+)\.(\w+)\b/, (m) => `${m[1]}.${m[2]}`],
    [/^(\w+)\b/, (m) => m[1]],
  ];
  for (const [pattern, coordinate] of patterns) {
    const match = pattern.exec(description);
    if (match) return coordinate(match);
  }
  return description;
}

/** Coordinates CHANGES.md announces: everything it writes in backticks. */
export function announcedCoordinates(changesMarkdown: string): Set<string> {
  return new Set([...changesMarkdown.matchAll(/`([^`\n]+)`/g)].map((match) => match[1].trim()));
}

export function checkSchemaChanges(baseSdl: string, currentSdl: string, changesMarkdown: string): SchemaCheckResult {
  const before = buildSchema(baseSdl);
  const after = buildSchema(currentSdl);
  const describe = (change: { type: string; description: string }): SchemaChange => ({ ...change, coordinate: coordinateOf(change.description) });
  const breaking = findBreakingChanges(before, after).map(describe);
  const announced = announcedCoordinates(changesMarkdown);
  return {
    breaking,
    unannounced: breaking.filter((change) => !announced.has(change.coordinate)),
    dangerous: findDangerousChanges(before, after).map(describe),
  };
}

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function gitSucceeds(args: string[]): boolean {
  try {
    git(args);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the base SDL comes from, in this order:
 * - `--base <file or git ref>`, or SCHEMA_CHECK_BASE: that file, or the SDL at that ref (`main`, `HEAD~3`, a tag);
 * - on a branch with commits main lacks: the SDL where the branch left main (`git merge-base HEAD main`),
 *   so the check sees this branch's changes only, not the ones others landed on main since;
 * - on main itself (CI runs on a fresh clone of main, where main and HEAD are the same): the SDL just
 *   before the last commit that touched schema/CHANGES.md. Every schema change since the changelog
 *   was last written, and the changes of that commit, must then be safe or named in CHANGES.md, so an
 *   unannounced breaking change that lands on main fails the next CI run.
 */
export function resolveBase(given: string | undefined): { label: string; sdl: string } {
  if (given) {
    const file = path.resolve(process.cwd(), given);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return { label: given, sdl: fs.readFileSync(file, 'utf8') };
    return { label: `${given}:${SDL_PATH}`, sdl: git(['show', `${given}:${SDL_PATH}`]) };
  }
  if (gitSucceeds(['rev-parse', '--verify', '--quiet', 'main']) && !gitSucceeds(['merge-base', '--is-ancestor', 'HEAD', 'main'])) {
    const forkPoint = git(['merge-base', 'HEAD', 'main']);
    return { label: `the fork point from main (${forkPoint.slice(0, 10)})`, sdl: git(['show', `${forkPoint}:${SDL_PATH}`]) };
  }
  const lastAnnouncement = git(['log', '-1', '--format=%H', '--', CHANGES_PATH]);
  if (!lastAnnouncement) throw new Error(`no commit touches ${CHANGES_PATH}: give a base with --base <ref or file>`);
  const base = `${lastAnnouncement}^`;
  return { label: `before the last change to ${CHANGES_PATH} (${lastAnnouncement.slice(0, 10)}^)`, sdl: git(['show', `${base}:${SDL_PATH}`]) };
}

function main(argv: string[]): number {
  const at = argv.indexOf('--base');
  const given = at >= 0 ? argv[at + 1] : process.env.SCHEMA_CHECK_BASE || undefined;
  const base = resolveBase(given);
  const current = fs.readFileSync(path.join(root, SDL_PATH), 'utf8');
  const changes = fs.existsSync(path.join(root, CHANGES_PATH)) ? fs.readFileSync(path.join(root, CHANGES_PATH), 'utf8') : '';
  const result = checkSchemaChanges(base.sdl, current, changes);
  console.log(`schema:check: ${SDL_PATH} against ${base.label}`);
  for (const change of result.dangerous) console.log(`  dangerous (allowed): ${change.description}`);
  for (const change of result.breaking) {
    const announced = !result.unannounced.includes(change);
    console.log(`  breaking, ${announced ? 'announced' : 'NOT announced'}: ${change.description} [\`${change.coordinate}\`]`);
  }
  if (result.unannounced.length) {
    console.error(
      `schema:check: ${result.unannounced.length} breaking change(s) not announced. Add an entry to ${CHANGES_PATH} naming ` +
        `${result.unannounced.map((change) => `\`${change.coordinate}\``).join(', ')} and what front ends should do, ` +
        'or keep the old field with @deprecated(reason: "...") until they have moved.',
    );
    return 1;
  }
  console.log(`schema:check: ok (${result.breaking.length} breaking, all announced; ${result.dangerous.length} dangerous)`);
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`schema:check: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
