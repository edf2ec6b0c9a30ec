import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Importing an article the team already has (same URL, or a revision with the same text) is
 * refused unless the caller allows a duplicate. These indexes make that look-up, run on every
 * create and import, an index probe instead of a scan of the team's articles and revisions.
 */
export class DuplicateArticles1764510000000 implements MigrationInterface {
  name = 'DuplicateArticles1764510000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX articles_team_url_idx ON articles (team_id, url) WHERE url IS NOT NULL AND deleted_at IS NULL;
      CREATE INDEX article_revisions_team_sha_idx ON article_revisions (team_id, body_sha256);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX article_revisions_team_sha_idx;
      DROP INDEX articles_team_url_idx;
    `);
  }
}
