import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A verdict is bound to the words it judged, and history is stamped by the database.
 *
 * - verdicts.judged_revision / judged_quote: the revision number and exact words each verdict was
 *   given (or last revised) on. Existing verdicts get their claim's current ones: the best record
 *   there is of what they judged.
 * - claims.judged_quote: set while a revision has changed the words the claim's verdicts judged
 *   (the words they judged); the status is NEEDS_REREVIEW until a reviewer gives or revises a
 *   verdict, or an editor confirms. claims.published_quote: the words a publication was made on,
 *   so a publication whose words changed since can be told apart.
 * - history_events.at defaults to the transaction's time, as the stamp trigger sets it for the
 *   application (src/modules/history/history-stamp.sql).
 */
export class ReviewIntegrity1764500000001 implements MigrationInterface {
  name = 'ReviewIntegrity1764500000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE verdicts ADD COLUMN judged_revision integer CHECK (judged_revision >= 1),
                           ADD COLUMN judged_quote text;
      ALTER TABLE claims ADD COLUMN judged_quote text, ADD COLUMN published_quote text;
      ALTER TABLE claims DROP CONSTRAINT claims_status_check;
      ALTER TABLE claims ADD CONSTRAINT claims_status_check
        CHECK (status IN ('UNREVIEWED', 'IN_REVIEW', 'SETTLED', 'DISPUTED', 'NEEDS_REREVIEW'));
      ALTER TABLE history_events ALTER COLUMN at SET DEFAULT now();

      -- Row-level security is forced even for the owner: lifted for the back-fill only, so an
      -- owner that is not a superuser sees every team's rows.
      ALTER TABLE verdicts NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE claims NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE article_revisions NO FORCE ROW LEVEL SECURITY;
      UPDATE verdicts v SET judged_revision = r.number, judged_quote = c.quote_exact
        FROM claims c JOIN article_revisions r ON r.id = c.revision_id
        WHERE c.id = v.claim_id;
      UPDATE claims SET published_quote = quote_exact WHERE published_at IS NOT NULL;
      ALTER TABLE verdicts FORCE ROW LEVEL SECURITY;
      ALTER TABLE claims FORCE ROW LEVEL SECURITY;
      ALTER TABLE article_revisions FORCE ROW LEVEL SECURITY;
      ALTER TABLE verdicts ALTER COLUMN judged_revision SET NOT NULL, ALTER COLUMN judged_quote SET NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE history_events ALTER COLUMN at SET DEFAULT clock_timestamp();
      ALTER TABLE claims DROP CONSTRAINT claims_status_check;
      ALTER TABLE claims NO FORCE ROW LEVEL SECURITY;
      UPDATE claims SET status = 'IN_REVIEW' WHERE status = 'NEEDS_REREVIEW';
      ALTER TABLE claims FORCE ROW LEVEL SECURITY;
      ALTER TABLE claims ADD CONSTRAINT claims_status_check CHECK (status IN ('UNREVIEWED', 'IN_REVIEW', 'SETTLED', 'DISPUTED'));
      ALTER TABLE claims DROP COLUMN judged_quote, DROP COLUMN published_quote;
      ALTER TABLE verdicts DROP COLUMN judged_revision, DROP COLUMN judged_quote;
    `);
  }
}
