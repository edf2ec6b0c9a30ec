import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claims imported from other organisations' ClaimReviews carry that organisation's verdict
 * (`external_review`: organisation, rating, review URL, dates). One review URL is imported once
 * per team (importing a feed again adds only what is new).
 */
export class ExternalClaimReviews1764532000000 implements MigrationInterface {
  name = 'ExternalClaimReviews1764532000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE claims ADD COLUMN external_review jsonb
        CHECK (jsonb_typeof(external_review) = 'object' AND external_review ? 'url' AND external_review ? 'organizationName'
               AND octet_length(external_review::text) <= 20000);
      CREATE UNIQUE INDEX claims_external_review_key ON claims (team_id, (external_review->>'url')) WHERE external_review IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX claims_external_review_key;
      ALTER TABLE claims DROP COLUMN external_review;
    `);
  }
}
