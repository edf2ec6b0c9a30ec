import type { MigrationInterface, QueryRunner } from 'typeorm';
import { definedFunctions, REPORT_FIGURES_ROUTINE, routineText } from '../src/db/sql-routines';

export const SCOPE = '(SELECT claimgraph_team_ids())::uuid[]';

/** `report_period_figures`' columns and key (1764570000000-ReportPeriodFigures creates it with them too). */
export const PERIOD_FIGURES_COLUMNS = `
  team_id uuid NOT NULL,
  span    integer NOT NULL,
  start   timestamptz NOT NULL,
  figure  text NOT NULL,
  key     text NOT NULL,
  slot    smallint NOT NULL,
  n       bigint NOT NULL,
  PRIMARY KEY (team_id, span, start, figure, key, slot)`;

/**
 * A report's figures kept current by the transactions that change claims and verdicts (the
 * triggers in src/modules/report/report-figures.sql), so a report reads a few hundred rows instead of
 * every claim and verdict of the team.
 *
 * - `report_team_figures`: per team, `(figure, key) -> n`, over the claims of articles not deleted.
 * - `report_article_figures`: the same per article (deleted or not), which a filter on articles
 *   (ids, publication dates) sums.
 * - `report_period_figures`: the same per team and period of publication (UTC days, hours and
 *   five minutes, `span` seconds from `start`; articles not deleted and dated), so a filter on
 *   publication dates sums the periods it covers whole and reads per-article rows only for the
 *   articles in the five minutes at its two ends. (Databases migrated when this kept hours only
 *   get it from 1764570000000-ReportPeriodFigures; this migration applies the current routine file,
 *   whose triggers write this table.)
 * - `report_article_claims`: claims per article by sourcing, with the article's publication date,
 *   so "the articles with most claims" is an index walk.
 *
 * Figure rows are split into slots: a writing transaction holds one slot of its team (an advisory
 * lock) and writes only that slot's rows, so concurrent writers never wait on one another's figure
 * rows nor deadlock on them; a read sums the slots. No foreign keys: each inserted figure row would
 * share-lock its team's or article's row, and many writers share-locking one row cost a MultiXact
 * each. Rows of a deleted team are left behind (teams are not deleted while they hold articles).
 *
 * The app role only reads them (under its team scope); the triggers' owner writes.
 */
export class ReportFigures1764543000000 implements MigrationInterface {
  name = 'ReportFigures1764543000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TYPE claimgraph_report_delta AS (team_id uuid, article_id uuid, figure text, key text, n integer);

      CREATE TABLE report_team_figures (
        team_id uuid NOT NULL,
        figure  text NOT NULL,
        key     text NOT NULL,
        slot    smallint NOT NULL,
        n       bigint NOT NULL,
        PRIMARY KEY (team_id, figure, key, slot)
      );
      CREATE TABLE report_article_figures (
        article_id uuid NOT NULL,
        figure     text NOT NULL,
        key        text NOT NULL,
        slot       smallint NOT NULL,
        team_id    uuid NOT NULL,
        n          integer NOT NULL,
        PRIMARY KEY (article_id, figure, key, slot)
      );
      CREATE TABLE report_period_figures (${PERIOD_FIGURES_COLUMNS});
      CREATE TABLE report_article_claims (
        article_id   uuid PRIMARY KEY,
        team_id      uuid NOT NULL,
        published_at timestamptz,
        counted      boolean NOT NULL,
        claims       integer NOT NULL,
        sourced      integer NOT NULL,
        anonymous    integer NOT NULL,
        unsourced    integer NOT NULL
      );
      CREATE INDEX report_article_claims_most_idx ON report_article_claims (team_id, claims DESC, published_at, article_id)
        WHERE counted AND claims > 0;
    `);
    for (const table of ['report_team_figures', 'report_article_figures', 'report_period_figures', 'report_article_claims']) {
      await queryRunner.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY ${table}_visibility ON ${table} USING (team_id = ANY (${SCOPE})) WITH CHECK (true);
        GRANT SELECT ON ${table} TO claimgraph_app;
      `);
    }
    // The triggers' functions come from the routine file; it is applied here once so that the
    // existing claims can be counted (the runner applies it again after the migrations, as it does
    // for every new file).
    await queryRunner.query(routineText(REPORT_FIGURES_ROUTINE).body);
    await queryRunner.query(`SELECT set_config('claimgraph.team_ids', coalesce((SELECT array_agg(id)::text FROM teams), '{}'), true)`);
    await queryRunner.query('SELECT claimgraph_rebuild_report_figures(ARRAY(SELECT id FROM teams))');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const names = definedFunctions(routineText(REPORT_FIGURES_ROUTINE).body);
    const rows = (await queryRunner.query(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p WHERE p.proname = ANY ($1) AND p.pronamespace = 'public'::regnamespace`,
      [names],
    )) as { signature: string }[];
    for (const { signature } of rows) await queryRunner.query(`DROP FUNCTION ${signature} CASCADE`);
    await queryRunner.query(`DELETE FROM schema_routines WHERE name = $1`, [REPORT_FIGURES_ROUTINE.name]);
    await queryRunner.query(`
      DROP TABLE report_article_claims;
      DROP TABLE report_period_figures;
      DROP TABLE report_article_figures;
      DROP TABLE report_team_figures;
      DROP TYPE claimgraph_report_delta;
    `);
  }
}
