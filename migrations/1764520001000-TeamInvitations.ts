import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPE = '(SELECT claimgraph_team_ids())::uuid[]';
const USER = '(SELECT claimgraph_user_id())';
/** The caller's own email: their users row is always visible to them. */
const MY_EMAIL = `(SELECT email FROM users WHERE id = ${USER})`;

/**
 * Membership by invitation. An OWNER invites an email address; nothing about an account with
 * that address (whether there is one, its name) reaches the team until its holder accepts. The
 * invitee sees the invitation through `viewer`, with the team's name and slug as they were when
 * invited (they cannot read the team yet), and accepts or declines it.
 */
export class TeamInvitations1764520001000 implements MigrationInterface {
  name = 'TeamInvitations1764520001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE team_invitations (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        team_name     text NOT NULL,
        team_slug     text NOT NULL,
        email         text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$'),
        role          text NOT NULL CHECK (role IN ('OWNER', 'EDITOR', 'REVIEWER', 'VIEWER')),
        status        text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED')),
        invited_by    uuid NOT NULL REFERENCES users (id),
        created_at    timestamptz NOT NULL DEFAULT now(),
        responded_at  timestamptz
      );
      CREATE UNIQUE INDEX team_invitations_pending_key ON team_invitations (team_id, email) WHERE status = 'PENDING';
      CREATE INDEX team_invitations_email_idx ON team_invitations (email) WHERE status = 'PENDING';

      GRANT SELECT, INSERT, UPDATE ON team_invitations TO claimgraph_app;
      ALTER TABLE team_invitations ENABLE ROW LEVEL SECURITY;
      ALTER TABLE team_invitations FORCE ROW LEVEL SECURITY;
      -- the inviting team, and the invitee (by their email)
      CREATE POLICY invitation_parties ON team_invitations
        USING (team_id = ANY (${SCOPE}) OR email = ${MY_EMAIL})
        WITH CHECK (team_id = ANY (${SCOPE}) OR email = ${MY_EMAIL});

      -- Accepting: the invitee is not a member yet, so row-level security would refuse their
      -- membership row; this function (the owner's rights) checks that the invitation is theirs
      -- and pending, adds the membership and puts the team in the transaction's scope.
      CREATE FUNCTION claimgraph_accept_invitation(p_invitation_id uuid) RETURNS TABLE (team_id uuid, role text)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      #variable_conflict use_column
      DECLARE i team_invitations%ROWTYPE;
      BEGIN
        SELECT * INTO i FROM team_invitations t
          WHERE t.id = p_invitation_id AND t.status = 'PENDING'
            AND t.email = (SELECT u.email FROM users u WHERE u.id = claimgraph_user_id())
          FOR UPDATE;
        IF NOT FOUND THEN RETURN; END IF;
        PERFORM set_config('claimgraph.team_ids', (claimgraph_team_ids() || i.team_id)::text, true);
        INSERT INTO memberships (team_id, user_id, role) VALUES (i.team_id, claimgraph_user_id(), i.role)
          ON CONFLICT (team_id, user_id) DO NOTHING;
        UPDATE team_invitations SET status = 'ACCEPTED', responded_at = now() WHERE id = i.id;
        RETURN QUERY SELECT i.team_id, i.role;
      END $$;
      REVOKE EXECUTE ON FUNCTION claimgraph_accept_invitation(uuid) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION claimgraph_accept_invitation(uuid) TO claimgraph_app;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP FUNCTION claimgraph_accept_invitation(uuid);
      DROP TABLE team_invitations;
    `);
  }
}
