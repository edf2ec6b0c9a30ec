import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { optionalText } from '../../shared/text';
import { recordHistory } from '../history/history.service';
import { authorize, can } from './permissions';
import { Membership } from './membership.entity';
import { Role } from './role';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Who belongs to a team, with which role. Only OWNERs manage it, and a team keeps an OWNER. */
export class MemberService {
  constructor(private readonly context: Context) {}

  async add(teamGlobalId: string, email: string, name: string | null | undefined, role: Role): Promise<Membership> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(teamGlobalId, 'Team', 'teamId');
    authorize(actor, teamId, 'team.manageMembers', 'Team');
    const normalized = (email ?? '').trim().toLowerCase();
    if (!EMAIL.test(normalized) || normalized.length > 320) throw badInput('email is not a valid email address', 'email');
    const displayName = optionalText(name, 'name', 200) ?? normalized.split('@')[0];
    return this.context.db.transaction(async (manager) => {
      await this.lockTeam(manager, teamId);
      // the application's role sees only users of its teams: the owner's function finds or makes the account
      const [user] = (await manager.query('SELECT claimgraph_ensure_user($1, $2) AS id', [normalized, displayName])) as { id: string }[];
      await manager.insert(Membership, { teamId, userId: user.id, role });
      this.context.credentialsChanged(user.id);
      await recordHistory(manager, {
        teamId, actorId: actor.userId, entityType: 'Membership', entityId: user.id, action: 'ADD_MEMBER', after: { userId: user.id, role },
      });
      return manager.findOneByOrFail(Membership, { teamId, userId: user.id });
    });
  }

  async changeRole(teamGlobalId: string, userGlobalId: string, role: Role): Promise<Membership> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(teamGlobalId, 'Team', 'teamId');
    const userId = fromGlobalId(userGlobalId, 'User', 'userId');
    authorize(actor, teamId, 'team.manageMembers', 'Team');
    return this.context.db.transaction(async (manager) => {
      await this.lockTeam(manager, teamId);
      const current = await manager.findOneBy(Membership, { teamId, userId });
      if (!current) throw notFound('Membership');
      if (current.role === role) return current;
      if (current.role === Role.OWNER) await this.keepAnOwner(manager, teamId);
      await manager.update(Membership, { teamId, userId }, { role });
      this.context.credentialsChanged(userId);
      await recordHistory(manager, {
        teamId, actorId: actor.userId, entityType: 'Membership', entityId: userId, action: 'CHANGE_ROLE',
        before: { role: current.role }, after: { role },
      });
      return manager.findOneByOrFail(Membership, { teamId, userId });
    });
  }

  async remove(teamGlobalId: string, userGlobalId: string): Promise<{ teamId: string; userId: string }> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(teamGlobalId, 'Team', 'teamId');
    const userId = fromGlobalId(userGlobalId, 'User', 'userId');
    authorize(actor, teamId, 'team.manageMembers', 'Team');
    return this.context.db.transaction(async (manager) => {
      await this.lockTeam(manager, teamId);
      const current = await manager.findOneBy(Membership, { teamId, userId });
      if (!current) throw notFound('Membership');
      if (current.role === Role.OWNER) await this.keepAnOwner(manager, teamId);
      await manager.delete(Membership, { teamId, userId });
      this.context.credentialsChanged(userId);
      await recordHistory(manager, {
        teamId, actorId: actor.userId, entityType: 'Membership', entityId: userId, action: 'REMOVE_MEMBER',
        before: { userId, role: current.role },
      });
      return { teamId, userId };
    });
  }

  /**
   * Membership changes of one team run one at a time: two owners demoting each other at the same
   * moment would otherwise each see the other still OWNER and leave the team with none.
   */
  private async lockTeam(manager: EntityManager, teamId: string): Promise<void> {
    const rows = (await manager.query('SELECT id FROM teams WHERE id = $1 FOR UPDATE', [teamId])) as unknown[];
    if (rows.length === 0) throw notFound('Team');
    // The caller's role was read when the request began; under the lock it is read again, so an
    // owner demoted a moment ago cannot still act as one.
    const [me] = (await manager.query('SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2', [teamId, requireActor(this.context).userId])) as { role: Role }[];
    if (!me) throw notFound('Team');
    if (!can(me.role, 'team.manageMembers')) throw new DomainError(ErrorCode.FORBIDDEN, 'You are no longer an OWNER of this team');
  }

  private async keepAnOwner(manager: EntityManager, teamId: string): Promise<void> {
    const [row] = (await manager.query(`SELECT count(*)::int AS owners FROM memberships WHERE team_id = $1 AND role = 'OWNER'`, [teamId])) as { owners: number }[];
    if (row.owners <= 1) throw new DomainError(ErrorCode.LAST_OWNER, 'A team must keep at least one OWNER; make someone else OWNER first');
  }
}
