import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkSchemaChanges, coordinateOf } from '../src/cli/schema-check';

const BASE = `
type Query { claim(id: ID!): Claim, claims(first: Int): [Claim!]! }
type Claim { id: ID!, quote: String!, note: String, rating: Rating }
enum Rating { TRUE FALSE MIXED }
input SubmitVerdictInput { claimId: ID!, rating: Rating! }
type Mutation { submitVerdict(input: SubmitVerdictInput!): Claim }
`;
// removes Claim.note and Rating.MIXED, adds a required input field and a required argument
const BREAKING = `
type Query { claim(id: ID!): Claim, claims(first: Int, teamId: ID!): [Claim!]! }
type Claim { id: ID!, quote: String!, rating: Rating }
enum Rating { TRUE FALSE }
input SubmitVerdictInput { claimId: ID!, rating: Rating!, reason: String! }
type Mutation { submitVerdict(input: SubmitVerdictInput!): Claim }
`;
// additions only, and a deprecation
const SAFE = `
type Query { claim(id: ID!): Claim, claims(first: Int, after: String): [Claim!]! }
type Claim { id: ID!, quote: String!, note: String @deprecated(reason: "Use notes"), notes: [String!]!, rating: Rating }
enum Rating { TRUE FALSE MIXED MISLEADING }
input SubmitVerdictInput { claimId: ID!, rating: Rating!, reason: String }
type Mutation { submitVerdict(input: SubmitVerdictInput!): Claim }
`;

describe('schema:check', () => {
  it('fails on breaking changes that CHANGES.md does not name, with their coordinates', () => {
    const result = checkSchemaChanges(BASE, BREAKING, '# Schema changes\n');
    expect(result.unannounced.map((change) => change.coordinate).sort()).toEqual([
      'Claim.note',
      'Query.claims(teamId:)',
      'Rating.MIXED',
      'SubmitVerdictInput.reason',
    ]);
  });

  it('passes breaking changes announced in CHANGES.md, and only those', () => {
    const changes = '## 2026-12-03\n- `Claim.note` removed: use `Claim.notes`.\n- `Rating.MIXED` removed.\n- `Query.claims(teamId:)` is required.\n';
    const result = checkSchemaChanges(BASE, BREAKING, changes);
    expect(result.breaking).toHaveLength(4);
    expect(result.unannounced.map((change) => change.coordinate)).toEqual(['SubmitVerdictInput.reason']);
  });

  it('passes safe changes (additions, deprecations) with no entry; reports the dangerous ones', () => {
    const result = checkSchemaChanges(BASE, SAFE, '');
    expect(result.breaking).toEqual([]);
    expect(result.dangerous.map((change) => change.coordinate)).toContain('Rating.MISLEADING');
  });

  it('names arguments and enum values as coordinates', () => {
    expect(coordinateOf('Query.claims arg first has changed type from Int to String.')).toBe('Query.claims(first:)');
    expect(coordinateOf('Claim was removed.')).toBe('Claim');
  });

  it('runs as `npm run schema:check -- --base FILE` on the committed SDL, exiting 1 on an unannounced break', { timeout: 60_000 }, () => {
    const root = path.resolve(__dirname, '..');
    const committed = fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-check-'));
    const same = path.join(dir, 'same.graphql');
    const richer = path.join(dir, 'richer.graphql');
    fs.writeFileSync(same, committed);
    // a base that had a field the committed SDL lacks: as if this change had removed it
    fs.writeFileSync(richer, committed.replace(/^type Query \{/m, 'type Query {\n  legacyField: String'));
    const run = (base: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/schema-check.ts', '--base', base], { cwd: root, encoding: 'utf8' });
    const ok = run(same);
    expect(ok.stdout).toMatch(/schema:check: ok/);
    expect(ok.status).toBe(0);
    const broken = run(richer);
    expect(broken.stderr).toMatch(/`Query\.legacyField`/);
    expect(broken.status).toBe(1);
  });
});
