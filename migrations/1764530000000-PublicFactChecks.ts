import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/** Columns the public reader may see, per table: nothing internal (notes, bodies, who did what). */
const PUBLIC_COLUMNS: Record<string, string[]> = {
  teams: ['id', 'slug', 'name', 'organization_name', 'organization_url', 'organization_logo_url', 'public_base_url'],
  claims: [
    'id',
    'team_id',
    'article_id',
    'quote_exact',
    'quote_prefix',
    'quote_suffix',
    'kind',
    'sourcing',
    'speaker_id',
    'published_rating',
    'published_rationale',
    'published_at',
    'published_evidence_ids',
    'deleted_at',
  ],
  articles: ['id', 'team_id', 'title', 'url', 'outlet', 'byline', 'published_at', 'language', 'deleted_at'],
  sources: ['id', 'team_id', 'kind', 'name', 'title', 'affiliation', 'url', 'anonymous', 'descriptor'],
  evidence: ['id', 'team_id', 'claim_id', 'source_id', 'url', 'quoted_passage', 'stance', 'created_at'],
};

/**
 * Public fact-checks: each team's organisation (name, url, logo) and public base URL, and a
 * dedicated role for unauthenticated reads, `claimgraph_public`.
 *
 * The public pages and feeds run their transaction as `claimgraph_public` (as requests run as
 * `claimgraph_app`). It has SELECT on the public columns only (column grants), and row-level
 * security lets it see exactly: published, undeleted claims; the articles they appear in; their
 * speakers and the sources of their cited evidence; the evidence cited when they were published;
 * and teams (public columns only). The tenant policies stay as they are: for this role their team
 * list is empty, so they admit nothing, and these `public_read` policies are the only way in.
 */
export class PublicFactChecks1764530000000 implements MigrationInterface {
  name = 'PublicFactChecks1764530000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE teams
        ADD COLUMN organization_name      text CHECK (length(btrim(organization_name)) BETWEEN 1 AND ${TEXT_LIMITS.organizationName.max}),
        ADD COLUMN organization_url       text CHECK (organization_url ~ '^https?://' AND length(organization_url) <= ${TEXT_LIMITS.url.max}),
        ADD COLUMN organization_logo_url  text CHECK (organization_logo_url ~ '^https?://' AND length(organization_logo_url) <= ${TEXT_LIMITS.url.max}),
        -- where the desk's fact-check pages are served: this server's /fact-checks/{id} behind it
        ADD COLUMN public_base_url        text CHECK (public_base_url ~ '^https?://[^/?#]+(/[^?#]*)?$' AND public_base_url !~ '/$'
                                                      AND length(public_base_url) <= ${TEXT_LIMITS.publicBaseUrl.max});

      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'claimgraph_public') THEN
          CREATE ROLE claimgraph_public NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
      END $$;
      GRANT claimgraph_public TO CURRENT_USER;
      GRANT USAGE ON SCHEMA public TO claimgraph_public;
      GRANT EXECUTE ON FUNCTION claimgraph_team_ids(), claimgraph_user_id() TO claimgraph_public;

      CREATE POLICY public_read ON teams FOR SELECT TO claimgraph_public USING (true);
      CREATE POLICY public_read ON claims FOR SELECT TO claimgraph_public
        USING (published_at IS NOT NULL AND deleted_at IS NULL);
      CREATE POLICY public_read ON articles FOR SELECT TO claimgraph_public
        USING (deleted_at IS NULL AND EXISTS (SELECT 1 FROM claims c WHERE c.article_id = articles.id));
      CREATE POLICY public_read ON evidence FOR SELECT TO claimgraph_public
        USING (EXISTS (SELECT 1 FROM claims c WHERE c.id = evidence.claim_id AND evidence.id = ANY (c.published_evidence_ids)));
      CREATE POLICY public_read ON sources FOR SELECT TO claimgraph_public
        USING (EXISTS (SELECT 1 FROM claims c WHERE c.speaker_id = sources.id)
               OR EXISTS (SELECT 1 FROM evidence e WHERE e.source_id = sources.id));
    `);
    for (const [table, columns] of Object.entries(PUBLIC_COLUMNS)) {
      await queryRunner.query(`GRANT SELECT (${columns.join(', ')}) ON ${table} TO claimgraph_public`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of Object.keys(PUBLIC_COLUMNS)) {
      await queryRunner.query(`DROP POLICY public_read ON ${table}`);
    }
    // The role is cluster-wide and may serve other databases: only this database's grants go.
    await queryRunner.query(`
      REVOKE ALL ON ALL TABLES IN SCHEMA public FROM claimgraph_public;
      REVOKE ALL ON FUNCTION claimgraph_team_ids(), claimgraph_user_id() FROM claimgraph_public;
      REVOKE ALL ON SCHEMA public FROM claimgraph_public;
      ALTER TABLE teams
        DROP COLUMN public_base_url,
        DROP COLUMN organization_logo_url,
        DROP COLUMN organization_url,
        DROP COLUMN organization_name;
    `);
  }
}
