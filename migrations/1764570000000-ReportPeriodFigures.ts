import type { MigrationInterface, QueryRunner } from 'typeorm';
import { definedFunctions, REPORT_FIGURES_ROUTINE } from '../src/db/sql-routines';
import { PERIOD_FIGURES_COLUMNS, SCOPE } from './1764543000000-ReportFigures';

const HOUR_FIGURES_COLUMNS = `
  team_id uuid NOT NULL,
  hour    timestamptz NOT NULL,
  figure  text NOT NULL,
  key     text NOT NULL,
  slot    smallint NOT NULL,
  n       bigint NOT NULL,
  PRIMARY KEY (team_id, hour, figure, key, slot)`;

async function readable(queryRunner: QueryRunner, table: string): Promise<void> {
  await queryRunner.query(`
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
    CREATE POLICY ${table}_visibility ON ${table} USING (team_id = ANY (${SCOPE})) WITH CHECK (true);
    GRANT SELECT ON ${table} TO claimgraph_app;
  `);
}

/**
 * Report figures per day, hour and five minutes of publication (`report_period_figures`) in place
 * of per hour (`report_hour_figures`), for a database whose 1764543000000-ReportFigures made the
 * hour rows (that migration makes the period rows now). A month's report summed the hours it
 * covers whole plus the per-article rows of the part-hours at its ends, up to two hours of
 * articles' rows; it now sums whole days, hours and five minutes, and only the articles inside the
 * five minutes at each end (the routine file src/modules/report/report-figures.sql keeps them).
 *
 * And an index of the articles with claims by publication date, with their claim counts, so the
 * report's articles with most claims in a date range are found among the range's own (a month at a
 * million claims walked half the team's articles by most claims to find the month's).
 *
 * The rows are summed from the per-article rows in one statement (a rebuild from the claims would
 * take many minutes at a million claims), with the figure tables locked against the triggers'
 * writers meanwhile. The runner applies the changed routine file after this.
 */
export class ReportPeriodFigures1764570000000 implements MigrationInterface {
  name = 'ReportPeriodFigures1764570000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX report_article_claims_dated_idx ON report_article_claims (team_id, published_at)
        INCLUDE (claims, article_id, sourced, anonymous, unsourced) WHERE counted AND claims > 0`);
    // The team's articles with most claims from the index alone: the report is a prepared
    // statement whose LIMIT is a parameter, and for its generic plan (LIMIT taken as a tenth of the
    // team's articles) an ordered walk that visited the heap cost more than reading the dated
    // index whole and sorting it: at a million claims, 24,666 articles sorted for 20 (5.7 ms), so
    // Postgres planned the statement afresh at every execution instead (1.8 ms).
    await queryRunner.query(`
      DROP INDEX report_article_claims_most_idx;
      CREATE INDEX report_article_claims_most_idx ON report_article_claims (team_id, claims DESC, published_at, article_id)
        INCLUDE (sourced, anonymous, unsourced) WHERE counted AND claims > 0`);
    const [{ hours }] = (await queryRunner.query(`SELECT to_regclass('public.report_hour_figures') IS NOT NULL AS hours`)) as { hours: boolean }[];
    if (!hours) return;
    await queryRunner.query(`LOCK TABLE report_article_figures, report_hour_figures IN EXCLUSIVE MODE`);
    await queryRunner.query(`CREATE TABLE report_period_figures (${PERIOD_FIGURES_COLUMNS})`);
    await readable(queryRunner, 'report_period_figures');
    await queryRunner.query(`SELECT set_config('claimgraph.team_ids', coalesce((SELECT array_agg(id)::text FROM teams), '{}'), true)`);
    // the spans and origin of claimgraph_report_spans and claimgraph_report_period (not defined yet)
    await queryRunner.query(`
      INSERT INTO report_period_figures (team_id, span, start, figure, key, slot, n)
      SELECT a.team_id, s.span, date_bin(make_interval(secs => s.span), a.published_at, timestamptz '2000-01-01 00:00:00+00'), r.figure, r.key, r.slot, sum(r.n)
        FROM report_article_figures r
        JOIN articles a ON a.id = r.article_id AND a.deleted_at IS NULL AND a.published_at IS NOT NULL
        CROSS JOIN unnest('{86400,3600,300}'::integer[]) s (span)
       GROUP BY 1, 2, 3, 4, 5, 6
      HAVING sum(r.n) <> 0
       ORDER BY 1, 2, 3, 4, 5, 6`);
    // statistics now: a server without autovacuum (or before it gets round to it) would plan a
    // month's report over a table it takes for empty
    await queryRunner.query(`ANALYZE report_period_figures`);
    await queryRunner.query(`DROP TABLE report_hour_figures`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX report_article_claims_dated_idx`);
    await queryRunner.query(`
      DROP INDEX report_article_claims_most_idx;
      CREATE INDEX report_article_claims_most_idx ON report_article_claims (team_id, claims DESC, published_at, article_id) WHERE counted AND claims > 0`);
    // the routine version before the period rows; none when ReportFigures made them (nothing to undo)
    const [previous] = (await queryRunner.query(
      `SELECT id, body FROM schema_routines WHERE name = $1 AND body NOT LIKE '%report_period_figures%' ORDER BY id DESC LIMIT 1`,
      [REPORT_FIGURES_ROUTINE.name],
    )) as { id: number; body: string }[];
    if (!previous) return;
    await queryRunner.query(`LOCK TABLE report_article_figures, report_period_figures IN EXCLUSIVE MODE`);
    const later = (await queryRunner.query(`SELECT body FROM schema_routines WHERE name = $1 AND id > $2`, [REPORT_FIGURES_ROUTINE.name, previous.id])) as {
      body: string;
    }[];
    const names = definedFunctions([previous.body, ...later.map((row) => row.body)].join('\n'));
    const functions = (await queryRunner.query(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p WHERE p.proname = ANY ($1) AND p.pronamespace = 'public'::regnamespace`,
      [names],
    )) as { signature: string }[];
    for (const { signature } of functions) await queryRunner.query(`DROP FUNCTION ${signature} CASCADE`);
    await queryRunner.query(`CREATE TABLE report_hour_figures (${HOUR_FIGURES_COLUMNS})`);
    await readable(queryRunner, 'report_hour_figures');
    await queryRunner.query(`SELECT set_config('claimgraph.team_ids', coalesce((SELECT array_agg(id)::text FROM teams), '{}'), true)`);
    await queryRunner.query(`
      INSERT INTO report_hour_figures (team_id, hour, figure, key, slot, n)
      SELECT team_id, start, figure, key, slot, n FROM report_period_figures WHERE span = 3600 ORDER BY 1, 2, 3, 4, 5`);
    await queryRunner.query(`ANALYZE report_hour_figures`);
    await queryRunner.query(`DROP TABLE report_period_figures`);
    await queryRunner.query(previous.body);
    await queryRunner.query(`DELETE FROM schema_routines WHERE name = $1 AND id > $2`, [REPORT_FIGURES_ROUTINE.name, previous.id]);
  }
}
