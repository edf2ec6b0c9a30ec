import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/**
 * The review workflow: the desk's published verdict on a claim, indexes for comment threads and
 * reviewer queues, an append-only history enforced by the database, and the live event stream.
 *
 * History is append-only for everyone, the table owner included: row triggers refuse UPDATE and
 * DELETE, a statement trigger refuses TRUNCATE. (The application role additionally has no grant
 * for them; that lives with the role's other grants.) Only a deliberate `ALTER TABLE ... DISABLE
 * TRIGGER` or `DROP TRIGGER` by the owner can get past it, and that is a schema change, not a
 * code path.
 *
 * Every committed history row is announced on the `claimgraph_events` channel. NOTIFY issued in a
 * transaction is delivered only when it commits, so subscribers never hear of a change that was
 * rolled back; the payload names the event (a few hundred bytes, far below the 8000-byte limit)
 * and listeners load the rest under the subscriber's own permissions.
 */
export class ReviewWorkflow1764400000000 implements MigrationInterface {
  name = 'ReviewWorkflow1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE claims
        ADD COLUMN published_rating       text CHECK (published_rating IN
                                            ('TRUE', 'MOSTLY_TRUE', 'MIXED', 'MOSTLY_FALSE', 'FALSE', 'MISLEADING', 'UNVERIFIABLE')),
        ADD COLUMN published_rationale    text CHECK (length(published_rationale) <= ${TEXT_LIMITS.rationale.max}),
        ADD COLUMN published_at           timestamptz,
        ADD COLUMN published_by           uuid REFERENCES users (id),
        ADD COLUMN published_evidence_ids uuid[] CHECK (cardinality(published_evidence_ids) <= 1000),
        -- published or not, all at once: a rating without who/when (or the reverse) is not a state
        ADD CONSTRAINT claims_published_check CHECK (
          (published_at IS NULL AND published_rating IS NULL AND published_by IS NULL
             AND published_rationale IS NULL AND published_evidence_ids IS NULL)
          OR (published_at IS NOT NULL AND published_rating IS NOT NULL AND published_by IS NOT NULL
             AND published_evidence_ids IS NOT NULL)
        );
      CREATE INDEX claims_published_by_idx ON claims (published_by);
      CREATE INDEX claims_team_published_idx ON claims (team_id, published_at DESC, id DESC)
        WHERE published_at IS NOT NULL AND deleted_at IS NULL;

      -- Claim.comments (top level, oldest first) and Comment.replies walk these ranges.
      CREATE INDEX comments_claim_top_idx ON comments (claim_id, created_at, id) WHERE parent_id IS NULL;
      DROP INDEX comments_parent_idx;
      CREATE INDEX comments_parent_idx ON comments (parent_id, created_at, id);

      -- A reviewer's queue: soonest due first, undated last.
      CREATE INDEX assignments_reviewer_queue_idx
        ON assignments (reviewer_id, (coalesce(due_at, 'infinity'::timestamptz)), created_at, id);
      CREATE INDEX assignments_claim_idx ON assignments (claim_id, created_at, id);

      CREATE FUNCTION history_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'history_events is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege', HINT = 'History records are never changed or removed.';
      END $$;
      CREATE TRIGGER history_events_no_update_delete BEFORE UPDATE OR DELETE ON history_events
        FOR EACH ROW EXECUTE FUNCTION history_events_append_only();
      CREATE TRIGGER history_events_no_truncate BEFORE TRUNCATE ON history_events
        FOR EACH STATEMENT EXECUTE FUNCTION history_events_append_only();

      CREATE FUNCTION history_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('claimgraph_events', json_build_object(
          'id', NEW.id::text, 'teamId', NEW.team_id, 'entityType', NEW.entity_type, 'entityId', NEW.entity_id,
          'action', NEW.action, 'claimId', NEW.claim_id, 'articleId', NEW.article_id)::text);
        RETURN NULL;
      END $$;
      -- Team-less events (a user's own tokens) are nobody else's business: not broadcast.
      CREATE TRIGGER history_events_notify AFTER INSERT ON history_events
        FOR EACH ROW WHEN (NEW.team_id IS NOT NULL) EXECUTE FUNCTION history_events_notify();
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TRIGGER history_events_notify ON history_events;
      DROP FUNCTION history_events_notify();
      DROP TRIGGER history_events_no_truncate ON history_events;
      DROP TRIGGER history_events_no_update_delete ON history_events;
      DROP FUNCTION history_events_append_only();
      DROP INDEX assignments_claim_idx;
      DROP INDEX assignments_reviewer_queue_idx;
      DROP INDEX comments_parent_idx;
      CREATE INDEX comments_parent_idx ON comments (parent_id);
      DROP INDEX comments_claim_top_idx;
      DROP INDEX claims_team_published_idx;
      DROP INDEX claims_published_by_idx;
      ALTER TABLE claims
        DROP CONSTRAINT claims_published_check,
        DROP COLUMN published_evidence_ids,
        DROP COLUMN published_by,
        DROP COLUMN published_at,
        DROP COLUMN published_rationale,
        DROP COLUMN published_rating;
    `);
  }
}
