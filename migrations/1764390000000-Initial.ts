import { MigrationInterface, QueryRunner } from 'typeorm';
import { TEXT_LIMITS } from '../src/shared/text-limits';

/**
 * The whole domain of DESIGN.md. Invariants live here as constraints so that no code path,
 * present or future, can store a state the product does not allow.
 */
export class Initial1764390000000 implements MigrationInterface {
  name = 'Initial1764390000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email         text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$'),
        name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND ${TEXT_LIMITS.name.max}),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX users_email_key ON users (email);

      CREATE TABLE teams (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug            text NOT NULL CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
        name            text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND ${TEXT_LIMITS.name.max}),
        verdict_quorum  integer NOT NULL DEFAULT 2 CHECK (verdict_quorum BETWEEN 1 AND 50),
        created_by      uuid REFERENCES users (id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX teams_slug_key ON teams (slug);
      CREATE INDEX teams_created_by_idx ON teams (created_by);

      CREATE TABLE memberships (
        team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role        text NOT NULL CHECK (role IN ('OWNER', 'EDITOR', 'REVIEWER', 'VIEWER')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (team_id, user_id)
      );
      CREATE INDEX memberships_user_id_idx ON memberships (user_id);

      CREATE TABLE articles (
        id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id                  uuid NOT NULL REFERENCES teams (id),
        title                    text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND ${TEXT_LIMITS.title.max}),
        url                      text CHECK (url ~ '^https?://'),
        outlet                   text CHECK (length(outlet) <= ${TEXT_LIMITS.outlet.max}),
        byline                   text CHECK (length(byline) <= ${TEXT_LIMITS.byline.max}),
        published_at             timestamptz,
        language                 text NOT NULL DEFAULT 'en' CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
        current_revision_number  integer NOT NULL DEFAULT 1 CHECK (current_revision_number >= 1),
        created_by               uuid NOT NULL REFERENCES users (id),
        created_at               timestamptz NOT NULL DEFAULT now(),
        updated_at               timestamptz NOT NULL DEFAULT now(),
        deleted_at               timestamptz
      );
      CREATE INDEX articles_team_created_idx ON articles (team_id, created_at DESC, id DESC);
      CREATE INDEX articles_team_published_idx ON articles (team_id, published_at DESC, id DESC);
      CREATE INDEX articles_team_outlet_idx ON articles (team_id, outlet);
      CREATE INDEX articles_created_by_idx ON articles (created_by);

      CREATE TABLE article_revisions (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id      uuid NOT NULL REFERENCES teams (id),
        article_id   uuid NOT NULL REFERENCES articles (id),
        number       integer NOT NULL CHECK (number >= 1),
        body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000000),
        body_sha256  text NOT NULL CHECK (body_sha256 ~ '^[0-9a-f]{64}$'),
        created_by   uuid NOT NULL REFERENCES users (id),
        created_at   timestamptz NOT NULL DEFAULT now(),
        UNIQUE (article_id, number)
      );
      CREATE INDEX article_revisions_team_idx ON article_revisions (team_id);
      CREATE INDEX article_revisions_created_by_idx ON article_revisions (created_by);

      CREATE TABLE sources (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id          uuid NOT NULL REFERENCES teams (id),
        kind             text NOT NULL CHECK (kind IN ('PERSON', 'ORGANIZATION', 'DOCUMENT', 'OTHER')),
        name             text CHECK (length(btrim(name)) BETWEEN 1 AND ${TEXT_LIMITS.sourceName.max}),
        normalized_name  text,
        title            text CHECK (length(title) <= ${TEXT_LIMITS.sourceName.max}),
        affiliation      text CHECK (length(affiliation) <= ${TEXT_LIMITS.sourceName.max}),
        url              text CHECK (url ~ '^https?://'),
        anonymous        boolean NOT NULL DEFAULT false,
        descriptor       text CHECK (length(btrim(descriptor)) BETWEEN 1 AND ${TEXT_LIMITS.descriptor.max}),
        version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_by       uuid NOT NULL REFERENCES users (id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        -- a named source has a name; an anonymous one is described instead (and may not be named)
        CONSTRAINT sources_identity_check CHECK (
          (anonymous AND descriptor IS NOT NULL AND name IS NULL)
          OR (NOT anonymous AND name IS NOT NULL)
        )
      );
      CREATE INDEX sources_team_name_idx ON sources (team_id, normalized_name, id);
      CREATE INDEX sources_team_created_idx ON sources (team_id, created_at DESC, id DESC);
      CREATE INDEX sources_created_by_idx ON sources (created_by);

      CREATE TABLE claims (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id          uuid NOT NULL REFERENCES teams (id),
        article_id       uuid NOT NULL REFERENCES articles (id),
        revision_id      uuid NOT NULL REFERENCES article_revisions (id),
        position_start   integer NOT NULL CHECK (position_start >= 0),
        position_end     integer NOT NULL,
        quote_exact      text NOT NULL CHECK (length(quote_exact) >= 1),
        quote_prefix     text NOT NULL DEFAULT '' CHECK (char_length(quote_prefix) <= 32),
        quote_suffix     text NOT NULL DEFAULT '' CHECK (char_length(quote_suffix) <= 32),
        anchor_state     text NOT NULL DEFAULT 'ANCHORED' CHECK (anchor_state IN ('ANCHORED', 'ORPHANED')),
        kind             text NOT NULL CHECK (kind IN ('DIRECT_QUOTE', 'REPORTED_SPEECH', 'ASSERTION')),
        sourcing         text NOT NULL CHECK (sourcing IN ('SOURCED', 'ANONYMOUS', 'UNSOURCED')),
        speaker_id       uuid REFERENCES sources (id),
        note             text CHECK (length(note) <= ${TEXT_LIMITS.note.max}),
        -- derived by the service from the current verdicts and the team's quorum; never client input
        status           text NOT NULL DEFAULT 'UNREVIEWED'
                         CHECK (status IN ('UNREVIEWED', 'IN_REVIEW', 'SETTLED', 'DISPUTED')),
        disputed_reason  text CHECK (length(btrim(disputed_reason)) BETWEEN 1 AND ${TEXT_LIMITS.reason.max}),
        disputed_by      uuid REFERENCES users (id),
        disputed_at      timestamptz,
        version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_by       uuid NOT NULL REFERENCES users (id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        deleted_at       timestamptz,
        CONSTRAINT claims_position_check CHECK (position_end > position_start),
        CONSTRAINT claims_dispute_check CHECK ((disputed_reason IS NULL) = (disputed_at IS NULL)),
        CONSTRAINT claims_unsourced_speaker_check CHECK (sourcing <> 'UNSOURCED' OR speaker_id IS NULL)
      );
      CREATE INDEX claims_article_position_idx ON claims (article_id, position_start, id) WHERE deleted_at IS NULL;
      CREATE INDEX claims_team_updated_idx ON claims (team_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
      CREATE INDEX claims_team_created_idx ON claims (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
      CREATE INDEX claims_team_status_idx ON claims (team_id, status, created_at DESC, id DESC) WHERE deleted_at IS NULL;
      CREATE INDEX claims_team_sourcing_idx ON claims (team_id, sourcing, status, created_at DESC, id DESC) WHERE deleted_at IS NULL;
      CREATE INDEX claims_revision_idx ON claims (revision_id);
      CREATE INDEX claims_speaker_idx ON claims (speaker_id);
      CREATE INDEX claims_created_by_idx ON claims (created_by);
      CREATE INDEX claims_disputed_by_idx ON claims (disputed_by);

      CREATE TABLE evidence (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id         uuid NOT NULL REFERENCES teams (id),
        claim_id        uuid NOT NULL REFERENCES claims (id),
        source_id       uuid REFERENCES sources (id),
        url             text CHECK (url ~ '^https?://'),
        quoted_passage  text CHECK (length(quoted_passage) <= ${TEXT_LIMITS.quotedPassage.max}),
        stance          text NOT NULL CHECK (stance IN ('SUPPORTS', 'REFUTES', 'CONTEXT')),
        note            text CHECK (length(note) <= ${TEXT_LIMITS.note.max}),
        created_by      uuid NOT NULL REFERENCES users (id),
        created_at      timestamptz NOT NULL DEFAULT now(),
        removed_at      timestamptz,
        removed_by      uuid REFERENCES users (id),
        CONSTRAINT evidence_has_reference CHECK (url IS NOT NULL OR source_id IS NOT NULL OR quoted_passage IS NOT NULL)
      );
      CREATE INDEX evidence_claim_idx ON evidence (claim_id, created_at, id) WHERE removed_at IS NULL;
      CREATE INDEX evidence_team_idx ON evidence (team_id);
      CREATE INDEX evidence_source_idx ON evidence (source_id);
      CREATE INDEX evidence_created_by_idx ON evidence (created_by);
      CREATE INDEX evidence_removed_by_idx ON evidence (removed_by);

      CREATE TABLE verdicts (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id       uuid NOT NULL REFERENCES teams (id),
        claim_id      uuid NOT NULL REFERENCES claims (id),
        reviewer_id   uuid NOT NULL REFERENCES users (id),
        rating        text NOT NULL CHECK (rating IN ('TRUE', 'MOSTLY_TRUE', 'MIXED', 'MOSTLY_FALSE', 'FALSE', 'MISLEADING', 'UNVERIFIABLE')),
        rationale     text CHECK (length(rationale) <= ${TEXT_LIMITS.rationale.max}),
        confidence    real CHECK (confidence BETWEEN 0 AND 1),
        version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        withdrawn_at  timestamptz
      );
      -- one current verdict per reviewer per claim; withdrawn ones stay as the record
      CREATE UNIQUE INDEX verdicts_current_key ON verdicts (claim_id, reviewer_id) WHERE withdrawn_at IS NULL;
      CREATE INDEX verdicts_claim_idx ON verdicts (claim_id, created_at, id);
      CREATE INDEX verdicts_reviewer_idx ON verdicts (reviewer_id, rating) WHERE withdrawn_at IS NULL;
      CREATE INDEX verdicts_team_rating_idx ON verdicts (team_id, rating) WHERE withdrawn_at IS NULL;

      CREATE TABLE comments (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id     uuid NOT NULL REFERENCES teams (id),
        claim_id    uuid NOT NULL REFERENCES claims (id),
        parent_id   uuid REFERENCES comments (id),
        author_id   uuid NOT NULL REFERENCES users (id),
        body        text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND ${TEXT_LIMITS.comment.max}),
        version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        deleted_at  timestamptz
      );
      CREATE INDEX comments_claim_idx ON comments (claim_id, created_at, id);
      CREATE INDEX comments_parent_idx ON comments (parent_id);
      CREATE INDEX comments_author_idx ON comments (author_id);
      CREATE INDEX comments_team_idx ON comments (team_id);

      CREATE TABLE assignments (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id       uuid NOT NULL REFERENCES teams (id),
        claim_id      uuid NOT NULL REFERENCES claims (id),
        reviewer_id   uuid NOT NULL REFERENCES users (id),
        assigned_by   uuid NOT NULL REFERENCES users (id),
        due_at        timestamptz,
        version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz,
        cancelled_at  timestamptz,
        CONSTRAINT assignments_closed_once CHECK (completed_at IS NULL OR cancelled_at IS NULL)
      );
      CREATE UNIQUE INDEX assignments_open_key ON assignments (claim_id, reviewer_id)
        WHERE completed_at IS NULL AND cancelled_at IS NULL;
      CREATE INDEX assignments_reviewer_idx ON assignments (reviewer_id, due_at, id);
      CREATE INDEX assignments_assigned_by_idx ON assignments (assigned_by);
      CREATE INDEX assignments_team_idx ON assignments (team_id);

      CREATE TABLE history_events (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        team_id      uuid REFERENCES teams (id),
        actor_id     uuid REFERENCES users (id),
        at           timestamptz NOT NULL DEFAULT clock_timestamp(),
        entity_type  text NOT NULL CHECK (entity_type IN
                       ('Team', 'User', 'Membership', 'Article', 'ArticleRevision', 'Claim', 'Source',
                        'Evidence', 'Verdict', 'Comment', 'Assignment')),
        entity_id    uuid NOT NULL,
        action       text NOT NULL CHECK (action ~ '^[A-Z][A-Z_]*$'),
        before       jsonb,
        after        jsonb,
        reason       text CHECK (length(reason) <= ${TEXT_LIMITS.reason.max}),
        -- the claim or article an event belongs to, so per-claim and per-article feeds are one index scan
        claim_id     uuid,
        article_id   uuid
      );
      CREATE INDEX history_entity_idx ON history_events (entity_id, id);
      CREATE INDEX history_team_idx ON history_events (team_id, id);
      CREATE INDEX history_actor_idx ON history_events (actor_id, id);
      CREATE INDEX history_claim_idx ON history_events (claim_id, id) WHERE claim_id IS NOT NULL;
      CREATE INDEX history_article_idx ON history_events (article_id, id) WHERE article_id IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE history_events;
      DROP TABLE assignments;
      DROP TABLE comments;
      DROP TABLE verdicts;
      DROP TABLE evidence;
      DROP TABLE claims;
      DROP TABLE sources;
      DROP TABLE article_revisions;
      DROP TABLE articles;
      DROP TABLE memberships;
      DROP TABLE teams;
      DROP TABLE users;
    `);
  }
}
