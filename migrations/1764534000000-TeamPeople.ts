import { MigrationInterface, QueryRunner } from 'typeorm';

const SCOPE = '(SELECT claimgraph_team_ids())::uuid[]';
const USER = '(SELECT claimgraph_user_id())';

/**
 * A team keeps seeing the people who worked in it after they leave. The credential wall's policy
 * on `users` admitted only current co-members, so removing a reviewer hid them from the team:
 * their verdicts lost their reviewer (a non-null field, so the whole claim failed to read) and the
 * reports' inner join on users dropped their ratings. `team_people` records every (team, user)
 * that has ever had a membership — written by a trigger on memberships, never deleted — and the
 * policy reads it instead of memberships. Filled from memberships and from history's actors
 * (everyone who ever wrote in a team appears there).
 */
export class TeamPeople1764534000000 implements MigrationInterface {
  name = 'TeamPeople1764534000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE team_people (
        team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, team_id)
      );
      INSERT INTO team_people (team_id, user_id)
        SELECT team_id, user_id FROM memberships
        UNION SELECT h.team_id, h.actor_id FROM history_events h
          WHERE h.actor_id IS NOT NULL AND h.team_id IS NOT NULL
            AND EXISTS (SELECT 1 FROM users u WHERE u.id = h.actor_id) AND EXISTS (SELECT 1 FROM teams t WHERE t.id = h.team_id)
        ON CONFLICT DO NOTHING;

      CREATE FUNCTION claimgraph_remember_team_person() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
      BEGIN
        INSERT INTO team_people (team_id, user_id) VALUES (NEW.team_id, NEW.user_id) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$;
      REVOKE EXECUTE ON FUNCTION claimgraph_remember_team_person() FROM PUBLIC;
      CREATE TRIGGER memberships_remember_team_person AFTER INSERT ON memberships
        FOR EACH ROW EXECUTE FUNCTION claimgraph_remember_team_person();

      -- the app role may only read (no write grant); the trigger's owner writes, whatever the scope
      ALTER TABLE team_people ENABLE ROW LEVEL SECURITY;
      ALTER TABLE team_people FORCE ROW LEVEL SECURITY;
      CREATE POLICY team_people_visibility ON team_people USING (team_id = ANY (${SCOPE}) OR user_id = ${USER}) WITH CHECK (true);
      GRANT SELECT ON team_people TO claimgraph_app;

      ALTER POLICY user_visibility ON users USING (id = ${USER}
        OR EXISTS (SELECT 1 FROM team_people p WHERE p.user_id = users.id AND p.team_id = ANY (${SCOPE})));
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER POLICY user_visibility ON users USING (id = ${USER}
        OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.team_id = ANY (${SCOPE})));
      DROP TRIGGER memberships_remember_team_person ON memberships;
      DROP FUNCTION claimgraph_remember_team_person();
      DROP TABLE team_people;
    `);
  }
}
