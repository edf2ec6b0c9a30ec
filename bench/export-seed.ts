/**
 * Bulk data for export benchmarks and the export tests: `rows` claims (report rows) spread over
 * articles, each with two current verdicts, one piece of evidence and its CREATE / STATUS_CHANGE
 * history, written with set-based INSERT ... SELECT in one transaction. It goes under the services
 * on purpose (a million claims through GraphQL would take hours); it needs a superuser connection,
 * because it switches triggers off (session_replication_role) for speed: no notifications, no
 * foreign-key checks, all ids come from rows it has just written.
 */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface SeedOptions {
  teamId: string;
  /** Creator of the articles and claims. */
  userId: string;
  /** Two or more reviewers; the first two give each claim its verdicts. */
  reviewerIds: string[];
  rows: number;
  claimsPerArticle?: number;
}

const BODY =
  'The council said the budget rose by 4.2%, "the largest rise since 1999". ' +
  'Критики назвали цифры завышенными; 批评者说数字被夸大了. Officials declined to comment.\n';

export async function seedVerdictRows(db: Queryable, options: SeedOptions): Promise<void> {
  const perArticle = options.claimsPerArticle ?? 20;
  const articles = Math.ceil(options.rows / perArticle);
  const [first, second] = options.reviewerIds;
  if (!first || !second) throw new Error('seedVerdictRows needs two reviewers');
  await db.query('BEGIN');
  try {
    await db.query(`SET LOCAL session_replication_role = replica`);
    await db.query(
      `CREATE TEMP TABLE seed_articles ON COMMIT DROP AS
      SELECT gen_random_uuid() AS id, gen_random_uuid() AS revision_id, g AS n
      FROM generate_series(1, $1::int) g`,
      [articles],
    );
    await db.query(
      `INSERT INTO articles (id, team_id, title, url, outlet, byline, published_at, language, created_by)
      SELECT id, $1, 'Bench article ' || n || ': budget, "schools" & taxes', 'https://bench.example.com/articles/' || n,
             'Bench Outlet', 'A. Writer', timestamptz '2026-01-01 00:00:00+00' + n * interval '1 hour', 'en', $2
      FROM seed_articles`,
      [options.teamId, options.userId],
    );
    await db.query(
      `INSERT INTO article_revisions (id, team_id, article_id, number, body, body_sha256, created_by)
      SELECT revision_id, $1, id, 1, $3, encode(sha256(convert_to($3, 'UTF8')), 'hex'), $2 FROM seed_articles`,
      [options.teamId, options.userId, BODY],
    );
    // Claim i of an article: the words at the start of the body; ratings cycle through the scale,
    // both reviewers agreeing (SETTLED) except every seventh claim (DISPUTED: TRUE vs FALSE).
    await db.query(
      `CREATE TEMP TABLE seed_claims ON COMMIT DROP AS
      SELECT gen_random_uuid() AS id, a.id AS article_id, a.revision_id, i,
             (ARRAY['TRUE','MOSTLY_TRUE','MIXED','MOSTLY_FALSE','FALSE','MISLEADING','UNVERIFIABLE'])[1 + (a.n + i) % 7] AS rating,
             (a.n * $2::int + i) % 7 = 0 AS disputed,
             (ARRAY['SOURCED','ANONYMOUS','UNSOURCED'])[1 + (a.n + i) % 3] AS sourcing,
             timestamptz '2026-02-01 00:00:00+00' + (a.n * $2::int + i) * interval '1 minute' AS created_at
      FROM seed_articles a CROSS JOIN generate_series(1, $2::int) i
      WHERE (a.n - 1) * $2::int + i <= $1::int`,
      [options.rows, perArticle],
    );
    await db.query(
      `INSERT INTO claims (id, team_id, article_id, revision_id, position_start, position_end, quote_exact, quote_prefix,
                                        quote_suffix, kind, sourcing, status, created_by, created_at, updated_at)
      SELECT id, $1, article_id, revision_id, 0, 70, left($3, 70), '', substr($3, 71, 32), 'REPORTED_SPEECH', sourcing,
             CASE WHEN disputed THEN 'DISPUTED' ELSE 'SETTLED' END, $2, created_at, created_at
      FROM seed_claims`,
      [options.teamId, options.userId, BODY],
    );
    await db.query(
      `INSERT INTO verdicts (team_id, claim_id, reviewer_id, rating, rationale, created_at, updated_at, judged_revision, judged_quote)
      SELECT $1::uuid, id, $2::uuid, rating, 'Checked against the council minutes, page ' || i || '.', created_at, created_at, 1, left($4, 70)
      FROM seed_claims
      UNION ALL
      SELECT $1::uuid, id, $3::uuid, CASE WHEN disputed THEN (CASE WHEN rating = 'FALSE' THEN 'TRUE' ELSE 'FALSE' END) ELSE rating END,
             NULL, created_at, created_at, 1, left($4, 70) FROM seed_claims`,
      [options.teamId, first, second, BODY],
    );
    await db.query(
      `INSERT INTO evidence (team_id, claim_id, url, stance, created_by, created_at)
      SELECT $1, id, 'https://evidence.example.org/minutes?page=' || i, 'SUPPORTS', $2, created_at FROM seed_claims`,
      [options.teamId, options.userId],
    );
    await db.query(
      `INSERT INTO history_events (team_id, actor_id, at, entity_type, entity_id, action, after, claim_id, article_id)
      SELECT $1::uuid, $2::uuid, created_at, 'Claim', id, 'CREATE', jsonb_build_object('status', 'UNREVIEWED'), id, article_id FROM seed_claims
      UNION ALL
      SELECT $1::uuid, $3::uuid, created_at + interval '90 minutes', 'Claim', id, 'STATUS_CHANGE',
             jsonb_build_object('status', CASE WHEN disputed THEN 'DISPUTED' ELSE 'SETTLED' END), id, article_id FROM seed_claims`,
      [options.teamId, options.userId, second],
    );
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
  await db.query('ANALYZE articles, claims, verdicts, evidence, history_events, sources, users');
}
