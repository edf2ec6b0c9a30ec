import type { ClientBase } from 'pg';

/**
 * The benchmark's data set, generated inside Postgres with set-based SQL (generate_series,
 * INSERT ... SELECT): a million claims take minutes, not hours of round trips. Every choice (ids,
 * ratings, sourcing, speakers) comes from md5 of the seed and the row's ordinal, so the same seed
 * gives the same data on any machine and Postgres version. Claim status is derived afterwards with
 * the service's own rule (claimgraph_refresh_claim_status), and history has an event for everything inserted (CREATE per
 * article and claim, ADD per evidence, SUBMIT per verdict, STATUS_CHANGE per derived status). What triggers keep
 * (it loads with them off) is filled at the end: team_people, the report figures.
 */

export interface TeamSpec {
  slug: string;
  articles: number;
  claimsPerArticle: number;
}

export interface DatasetSpec {
  seed: string;
  teams: TeamSpec[];
  evidencePerClaim: number;
  verdictsPerClaim: number;
  /** Named and anonymous sources per team. */
  sourcesPerTeam: number;
  /** History events for everything inserted (default true; tests that only plan queries skip them). */
  history?: boolean;
}

/** Members of every team, by ordinal: 0 owner, 1-2 editors, 3..(3+REVIEWERS-1) reviewers, then a viewer. */
export const REVIEWERS_PER_TEAM = 12;
const MEMBERS_PER_TEAM = 3 + REVIEWERS_PER_TEAM + 1;

export interface BenchUser {
  id: string;
  email: string;
  role: 'OWNER' | 'EDITOR' | 'REVIEWER' | 'VIEWER';
  teamSlug: string;
}

export interface GeneratedTeam {
  slug: string;
  id: string;
  articles: number;
  claims: number;
  verdicts: number;
}

/**
 * The default layout: the big team holds most articles; a 10k-claim team is the claim queue's small
 * reference; a team with ~10k verdict rows is the small export; a few 4-claim articles on the side.
 */
export function benchLayout(totalArticles: number, claimsPerArticle = 40): TeamSpec[] {
  const small = Math.round(10_000 / claimsPerArticle);
  const exportTeam = Math.ceil(10_000 / (claimsPerArticle * 3));
  const main = totalArticles - small - exportTeam;
  if (main < small) throw new Error(`--scale is too small: need at least ${2 * small + exportTeam} articles`);
  return [
    { slug: 'bench-main', articles: main, claimsPerArticle },
    { slug: 'bench-10k', articles: small, claimsPerArticle },
    { slug: 'bench-export', articles: exportTeam, claimsPerArticle },
    // short articles, to show the article page costs the same statements for 4 claims as for 40
    { slug: 'bench-short', articles: 25, claimsPerArticle: 4 },
  ];
}

function sqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const BULK_TABLES = ['articles', 'article_revisions', 'claims', 'evidence', 'verdicts', 'history_events'];

/** Drops the indexes of `tables` that back no constraint; returns their definitions by table. */
async function dropSecondaryIndexes(client: ClientBase, tables: string[]): Promise<Map<string, string[]>> {
  const { rows } = await client.query(
    `
    SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = format('public.%I', i.indexname)::regclass)`,
    [tables],
  );
  const definitions = new Map<string, string[]>();
  for (const row of rows as { tablename: string; indexname: string; indexdef: string }[]) {
    definitions.set(row.tablename, [...(definitions.get(row.tablename) ?? []), row.indexdef]);
    await client.query(`DROP INDEX public."${row.indexname}"`);
  }
  return definitions;
}

async function recreateIndexes(client: ClientBase, definitions: Map<string, string[]>, tables: string[]): Promise<void> {
  await client.query(`SET maintenance_work_mem = '256MB'`);
  for (const table of tables) {
    for (const definition of definitions.get(table) ?? []) await client.query(definition);
    definitions.delete(table);
  }
}

async function timed<T>(log: (line: string) => void, label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  log(`  ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

/**
 * Fills an empty, migrated database. `client` must be allowed to write every table: a superuser
 * (the local Postgres, the embedded one) or the tables' owner.
 */
export async function generateDataset(
  client: ClientBase,
  spec: DatasetSpec,
  log: (line: string) => void = () => undefined,
): Promise<{ teams: GeneratedTeam[]; users: BenchUser[] }> {
  const seed = sqlLiteral(spec.seed);
  // sources come in tens: 7 named, 3 anonymous
  if (spec.sourcesPerTeam < 10 || spec.sourcesPerTeam % 10) throw new Error('sourcesPerTeam must be a multiple of 10');
  const decades = spec.sourcesPerTeam / 10;
  const [{ rolsuper }] = (await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows as { rolsuper: boolean }[];
  await client.query(`SET synchronous_commit = off`);
  // LLVM compilation of these one-off statements costs seconds and saves nothing
  await client.query(`SET jit = off`);
  // Generated rows reference rows generated just before: the per-row foreign-key triggers would
  // only re-prove that, at a cost of minutes at 1M claims (only a superuser may skip them).
  if (rolsuper) await client.query(`SET session_replication_role = replica`);

  await client.query(`
    CREATE SCHEMA IF NOT EXISTS bench;
    CREATE OR REPLACE FUNCTION bench.h(t text) RETURNS integer IMMUTABLE PARALLEL SAFE LANGUAGE sql
      AS $$ SELECT (('x' || substr(md5(t), 1, 8))::bit(32)::integer) & 2147483647 $$;
    CREATE OR REPLACE FUNCTION bench.uid(t text) RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
      AS $$ SELECT md5(t)::uuid $$;
    -- One sentence per claim; fixed width, so claim k of an article starts at k * width.
    -- (Only immutable operations — text casts and concatenation, not format() or integer || text,
    -- which are STABLE — so that Postgres inlines it: a SQL function call that is not inlined
    -- costs ~100 µs a row.)
    CREATE OR REPLACE FUNCTION bench.sentence(a integer, k integer) RETURNS text IMMUTABLE PARALLEL SAFE LANGUAGE sql
      AS $$ SELECT 'Claim ' || lpad(k::text, 3, '0') || ' of article ' || lpad(a::text, 7, '0') || ': the rate was '
                   || lpad((bench.h(a::text || ':' || k::text) % 100)::text, 2, '0') || ' percent, an official said. ' $$;
    DROP TABLE IF EXISTS bench.teams;
    CREATE TABLE bench.teams (ordinal integer, slug text, team_id uuid, first_article integer, articles integer, claims_per_article integer);
  `);
  const width = ((await client.query(`SELECT length(bench.sentence(0, 0)) AS width`)).rows[0] as { width: number }).width;

  let firstArticle = 0;
  for (const [ordinal, team] of spec.teams.entries()) {
    await client.query(`INSERT INTO bench.teams VALUES ($1, $2, bench.uid(${seed} || ':team:' || $2), $3, $4, $5)`, [
      ordinal,
      team.slug,
      firstArticle,
      team.articles,
      team.claimsPerArticle,
    ]);
    firstArticle += team.articles;
  }
  const teamIds = (await client.query(`SELECT team_id FROM bench.teams`)).rows.map((row: { team_id: string }) => row.team_id);
  // Row-level security admits only rows of the session's teams (relevant when not a superuser).
  await client.query(`SELECT set_config('claimgraph.team_ids', $1, false)`, [`{${teamIds.join(',')}}`]);

  const member = (ordinal: string) => `bench.uid(${seed} || ':user:' || t.slug || ':' || ${ordinal})`;
  const editor = member('1');
  const reviewer = (expression: string) => member(`(3 + (${expression}) % ${REVIEWERS_PER_TEAM})`);

  await timed(log, 'users, teams, memberships, sources', async () => {
    await client.query(`
      INSERT INTO users (id, email, name, created_at, updated_at)
      SELECT ${member('u')},
             CASE WHEN u = 0 THEN 'owner' WHEN u <= 2 THEN 'editor' || u WHEN u <= ${2 + REVIEWERS_PER_TEAM} THEN 'reviewer' || (u - 2) ELSE 'viewer' END
               || '@' || t.slug || '.bench.test',
             CASE WHEN u = 0 THEN 'Owner' WHEN u <= 2 THEN 'Editor ' || u WHEN u <= ${2 + REVIEWERS_PER_TEAM} THEN 'Reviewer ' || (u - 2) ELSE 'Viewer' END
               || ' of ' || t.slug,
             timestamptz '2025-01-01', timestamptz '2025-01-01'
        FROM bench.teams t, generate_series(0, ${MEMBERS_PER_TEAM - 1}) u;
      INSERT INTO teams (id, slug, name, verdict_quorum, created_by, created_at, updated_at)
      SELECT t.team_id, t.slug, 'Bench ' || t.slug, 2, ${member('0')}, timestamptz '2025-01-01', timestamptz '2025-01-01' FROM bench.teams t;
      INSERT INTO memberships (team_id, user_id, role)
      SELECT t.team_id, ${member('u')},
             CASE WHEN u = 0 THEN 'OWNER' WHEN u <= 2 THEN 'EDITOR' WHEN u <= ${2 + REVIEWERS_PER_TEAM} THEN 'REVIEWER' ELSE 'VIEWER' END
        FROM bench.teams t, generate_series(0, ${MEMBERS_PER_TEAM - 1}) u;
      -- 70% named (people and organisations), 30% anonymous ("an official who requested anonymity")
      INSERT INTO sources (id, team_id, kind, name, normalized_name, title, affiliation, anonymous, descriptor, created_by, created_at, updated_at)
      SELECT bench.uid(${seed} || ':source:' || t.slug || ':' || j), t.team_id,
             CASE WHEN j % 10 >= 7 OR j % 3 <> 2 THEN 'PERSON' ELSE 'ORGANIZATION' END,
             CASE WHEN j % 10 < 7 THEN 'Source ' || j || ' of ' || t.slug END,
             CASE WHEN j % 10 < 7 THEN 'source ' || j || ' of ' || t.slug END,
             CASE WHEN j % 10 < 7 AND j % 3 <> 2 THEN 'Spokesperson' END,
             CASE WHEN j % 10 < 7 THEN 'Ministry ' || (j % 17) END,
             j % 10 >= 7,
             CASE WHEN j % 10 >= 7 THEN 'an official who requested anonymity (' || j || ')' END,
             ${editor}, timestamptz '2025-01-01', timestamptz '2025-01-01'
        FROM bench.teams t, generate_series(0, ${spec.sourcesPerTeam - 1}) j;
    `);
  });

  // Articles: created one after another, claims a second apart inside each, so "newest first" is a total order.
  const articleTime = `timestamptz '2025-01-01' + (a * (t.claims_per_article + 1)) * interval '1 second'`;
  // Bulk loads go faster into tables without their secondary indexes, which are then built once
  // (minutes saved at 1M claims). Constraint indexes (primary keys, UNIQUE constraints) stay.
  const indexes = await dropSecondaryIndexes(client, BULK_TABLES);
  try {
    await timed(log, 'articles and revisions', () =>
      client.query(`
    INSERT INTO articles (id, team_id, title, url, outlet, byline, published_at, language, current_revision_number, created_by, created_at, updated_at)
    SELECT bench.uid(${seed} || ':article:' || a), t.team_id, 'Bench article ' || a || ': figures under review',
           'https://news.example.com/bench/' || a, (ARRAY['Example News', 'The Daily Bench', 'Wire Service'])[1 + a % 3],
           'Reporter ' || (a % 23), ${articleTime} - interval '1 hour', 'en', 1, ${editor}, ${articleTime}, ${articleTime}
      FROM bench.teams t, generate_series(t.first_article, t.first_article + t.articles - 1) a;
    INSERT INTO article_revisions (id, team_id, article_id, number, body, body_sha256, created_by, created_at)
    SELECT bench.uid(${seed} || ':revision:' || a), t.team_id, bench.uid(${seed} || ':article:' || a), 1, body,
           encode(sha256(convert_to(body, 'UTF8')), 'hex'), ${editor}, ${articleTime}
      FROM bench.teams t, generate_series(t.first_article, t.first_article + t.articles - 1) a,
           LATERAL (SELECT rtrim(string_agg(bench.sentence(a, k), '' ORDER BY k)) AS body
                      FROM generate_series(0, t.claims_per_article - 1) k) b;
  `),
    );

    // Claim n = its article's ordinal * claims per article + k; h = its hash drives every choice.
    await timed(log, 'claims', () =>
      client.query(`
    INSERT INTO claims (id, team_id, article_id, revision_id, position_start, position_end, quote_exact, quote_prefix, quote_suffix,
                        anchor_state, kind, sourcing, speaker_id, status, version, created_by, created_at, updated_at)
    SELECT bench.uid(${seed} || ':claim:' || a || ':' || k), t.team_id, bench.uid(${seed} || ':article:' || a),
           bench.uid(${seed} || ':revision:' || a), k * ${width}, k * ${width} + ${width - 1},
           rtrim(bench.sentence(a, k)),
           CASE WHEN k = 0 THEN '' ELSE right(bench.sentence(a, k - 1), 32) END,
           CASE WHEN k = t.claims_per_article - 1 THEN '' ELSE left(' ' || bench.sentence(a, k + 1), 32) END,
           'ANCHORED',
           (ARRAY['DIRECT_QUOTE', 'REPORTED_SPEECH', 'ASSERTION'])[1 + h % 3],
           CASE WHEN h / 3 % 10 < 4 THEN 'SOURCED' WHEN h / 3 % 10 < 7 THEN 'ANONYMOUS' ELSE 'UNSOURCED' END,
           CASE WHEN h / 3 % 10 < 4 THEN bench.uid(${seed} || ':source:' || t.slug || ':' || ((h / 30 % ${decades}) * 10 + h / 600 % 7))
                WHEN h / 3 % 10 < 7 THEN bench.uid(${seed} || ':source:' || t.slug || ':' || ((h / 30 % ${decades}) * 10 + 7 + h / 600 % 3)) END,
           'UNREVIEWED', 1, ${editor},
           ${articleTime} + (k + 1) * interval '1 second', ${articleTime} + (k + 1) * interval '1 second'
      FROM bench.teams t, generate_series(t.first_article, t.first_article + t.articles - 1) a,
           generate_series(0, t.claims_per_article - 1) k,
           LATERAL (SELECT bench.h(${seed} || ':claim:' || a || ':' || k) AS h) hashed
  `),
    );

    const claimRows = `
      FROM claims c
      JOIN bench.teams t ON t.team_id = c.team_id
      CROSS JOIN LATERAL (SELECT bench.h(c.id::text) AS h) hashed`;

    await timed(log, 'evidence', () =>
      client.query(`
    INSERT INTO evidence (id, team_id, claim_id, source_id, url, quoted_passage, stance, note, created_by, created_at)
    SELECT bench.uid(c.id || ':evidence:' || e), c.team_id, c.id,
           bench.uid(${seed} || ':source:' || t.slug || ':' || (bench.h(c.id || ':' || e) % ${spec.sourcesPerTeam})),
           'https://evidence.example.org/' || (bench.h(c.id || ':' || e) % 100000),
           'The published table gives ' || (bench.h(c.id || ':' || e) % 100) || ' percent for the period.',
           (ARRAY['SUPPORTS', 'REFUTES', 'CONTEXT'])[1 + bench.h(c.id || ':' || e) / 7 % 3],
           NULL, ${reviewer('h + e')}, c.created_at + (e + 1) * interval '1 minute'
      ${claimRows}, generate_series(0, ${spec.evidencePerClaim - 1}) e
  `),
    );

    // Ratings: all verdicts of a claim start from one scale value b (TRUE 5 .. FALSE 1). About 55%
    // of claims agree (the third verdict is b or one step away: SETTLED); 45% do not (two steps
    // away, or MISLEADING beside on-scale ratings: DISPUTED).
    await timed(log, 'verdicts', () =>
      client.query(`
    INSERT INTO verdicts (id, team_id, claim_id, reviewer_id, rating, rationale, confidence, version, created_at, updated_at,
                          judged_revision, judged_quote)
    SELECT bench.uid(c.id || ':verdict:' || v), c.team_id, c.id, ${reviewer(`h + v * 4`)},
           CASE WHEN v = 2 AND d < 10 THEN 'MISLEADING'
                ELSE (ARRAY['FALSE', 'MOSTLY_FALSE', 'MIXED', 'MOSTLY_TRUE', 'TRUE'])[
                  CASE WHEN v < 2 THEN b
                       WHEN d < 45 THEN CASE WHEN b <= 3 THEN b + 2 ELSE b - 2 END
                       WHEN d % 3 = 0 THEN CASE WHEN b < 5 THEN b + 1 ELSE b - 1 END
                       ELSE b END] END,
           'Checked against the cited source, table ' || (h % 40 + v) || '.',
           round((0.5 + (h / 11 + v) % 50 / 100.0)::numeric, 2)::real, 1,
           c.created_at + (v + 3) * interval '1 minute', c.created_at + (v + 3) * interval '1 minute',
           1, c.quote_exact
      ${claimRows}
      CROSS JOIN LATERAL (SELECT 1 + h / 7 % 5 AS b, bench.h(c.id || ':dispute') % 100 AS d) rating,
      generate_series(0, ${spec.verdictsPerClaim - 1}) v
  `),
    );

    // the status rule and the history joins read verdicts and evidence by claim
    await timed(log, 'indexes of verdicts and evidence', () => recreateIndexes(client, indexes, ['verdicts', 'evidence']));

    if (spec.history !== false)
      await timed(log, 'history events', () =>
        client.query(`
    INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, article_id)
    SELECT a.team_id, a.created_by, a.created_at, 'Article', a.id, 'CREATE',
           jsonb_build_object('title', a.title, 'url', a.url, 'outlet', a.outlet, 'revisionNumber', 1), a.id
      FROM articles a JOIN bench.teams t ON t.team_id = a.team_id;
    INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, claim_id, article_id)
    SELECT c.team_id, c.created_by, c.created_at, 'Claim', c.id, 'CREATE',
           jsonb_build_object('articleId', c.article_id, 'positionStart', c.position_start, 'positionEnd', c.position_end,
                              'quoteExact', c.quote_exact, 'kind', c.kind, 'sourcing', c.sourcing, 'speakerId', c.speaker_id,
                              'status', 'UNREVIEWED', 'version', 1),
           c.id, c.article_id
      FROM claims c JOIN bench.teams t ON t.team_id = c.team_id;
    INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, claim_id, article_id)
    SELECT e.team_id, e.created_by, e.created_at, 'Evidence', e.id, 'ADD',
           jsonb_build_object('claimId', e.claim_id, 'sourceId', e.source_id, 'url', e.url, 'stance', e.stance), e.claim_id, c.article_id
      FROM evidence e JOIN claims c ON c.id = e.claim_id JOIN bench.teams t ON t.team_id = e.team_id;
    INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, claim_id, article_id)
    SELECT v.team_id, v.reviewer_id, v.created_at, 'Verdict', v.id, 'SUBMIT',
           jsonb_build_object('claimId', v.claim_id, 'reviewerId', v.reviewer_id, 'rating', v.rating, 'rationale', v.rationale,
                              'confidence', v.confidence, 'version', 1, 'withdrawnAt', NULL),
           v.claim_id, c.article_id
      FROM verdicts v JOIN claims c ON c.id = v.claim_id JOIN bench.teams t ON t.team_id = v.team_id;
  `),
      );

    // Status with the service's own rule (the database function the write path calls), and a
    // STATUS_CHANGE event for each claim it changes.
    await timed(log, "claim status (the service's derive rule) and its history", () =>
      client.query(
        `SELECT count(*) FROM claimgraph_refresh_claim_status(
       ARRAY(SELECT id FROM claims WHERE team_id = ANY($1) AND deleted_at IS NULL), NULL)`,
        [teamIds],
      ),
    );
  } finally {
    await timed(log, 'indexes', () => recreateIndexes(client, indexes, BULK_TABLES));
  }

  if (rolsuper) await client.query(`SET session_replication_role = DEFAULT`);
  // what the memberships trigger would have recorded, had triggers been on
  await client.query(`INSERT INTO team_people (team_id, user_id) SELECT team_id, user_id FROM memberships WHERE team_id = ANY($1) ON CONFLICT DO NOTHING`, [
    teamIds,
  ]);
  // the report figures the claims and verdicts triggers would have kept
  await timed(log, 'report figures', () => client.query('SELECT claimgraph_rebuild_report_figures($1)', [teamIds]));
  await client.query(`SELECT set_config('claimgraph.team_ids', '', false)`);

  const teams = (
    await client.query(`
    SELECT t.slug, t.team_id AS id, t.articles,
           (SELECT count(*) FROM claims c WHERE c.team_id = t.team_id)::int AS claims,
           (SELECT count(*) FROM verdicts v WHERE v.team_id = t.team_id)::int AS verdicts
      FROM bench.teams t ORDER BY t.ordinal`)
  ).rows as GeneratedTeam[];
  const users = (
    await client.query(`
    SELECT u.id, u.email, m.role, t.slug AS "teamSlug"
      FROM bench.teams t JOIN memberships m ON m.team_id = t.team_id JOIN users u ON u.id = m.user_id
     ORDER BY t.ordinal, u.email`)
  ).rows as BenchUser[];
  return { teams, users };
}
