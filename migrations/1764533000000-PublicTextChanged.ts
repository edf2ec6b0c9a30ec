import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A publication whose words a later revision changed (`published_quote` no longer the claim's
 * exact words) is not the desk's public fact-check until an editor publishes it again: the public
 * role stops seeing the claim, so its page answers 404 and the team's feeds leave it out, exactly
 * as the ClaimReview export does. The articles', evidence's and sources' public policies read
 * claims through this one, so they follow.
 */
export class PublicTextChanged1764533000000 implements MigrationInterface {
  name = 'PublicTextChanged1764533000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER POLICY public_read ON claims
        USING (published_at IS NOT NULL AND deleted_at IS NULL AND published_quote IS NOT DISTINCT FROM quote_exact);
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER POLICY public_read ON claims USING (published_at IS NOT NULL AND deleted_at IS NULL);
    `);
  }
}
