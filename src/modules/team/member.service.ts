import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { checkText } from '../../shared/text';
import { TeamInvitation } from './invitation.entity';
import { recordHistory } from '../history/history.service';
import { authorize, can } from './permissions';
import { Membership } from './membership.entity';
import { Role } from './role';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Who belongs to a team, with which role. Only OWNERs manage it, and a team keeps an OWNER. */
export class MemberService {
  constructor(private readonly context: Context) {}

  /**
   * Invites an email address to the team (OWNER). No account is looked up: the answer is the same
   * whether the address has one or not, and nothing about its holder reaches the team until they
   * accept. A pending invitation to the same address, or a member with it, is ALREADY_EXISTS.
   */
  async invite(teamGlobalId: string, email: string, role: Role): Promise<TeamInvitation> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(teamGlobalId, 'Team', 'teamId');
    authorize(actor, teamId, 'team.manageMembers', 'Team');
    const normalized = checkText(email ?? '', 'email', { max: 320, allowBlank: true })
      .trim()
      .toLowerCase();
    if (!EMAIL.test(normalized)) throw badInput('email is not a valid email address', 'email');
    return this.context.db.transaction(async (manager) => {
      await this.lockTeam(manager, teamId);
      // members are the team's to see already (row-level security shows users who share a team)
      const [member] = (await manager.query('SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 AND u.email = $2', [
        teamId,
        normalized,
      ])) as unknown[];
      if (member) throw new DomainError(ErrorCode.ALREADY_EXISTS, 'A member of the team has this email');
      const [team] = (await manager.query('SELECT name, slug FROM teams WHERE id = $1', [teamId])) as { name: string; slug: string }[];
      const [row] = (await manager.query(
        `INSERT INTO team_invitations (team_id, team_name, team_slug, email, role, invited_by) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (team_id, email) WHERE status = 'PENDING' DO NOTHING RETURNING id`,
        [teamId, team.name, team.slug, normalized, role, actor.userId],
      )) as { id: string }[];
      if (!row) throw new DomainError(ErrorCode.ALREADY_EXISTS, 'This email already has a pending invitation to the team');
      await recordHistory(manager, {
        teamId,
        actorId: actor.userId,
        entityType: 'Membership',
        entityId: row.id,
        action: 'INVITE_MEMBER',
        after: { email: normalized, role },
      });
      return manager.findOneByOrFail(TeamInvitation, { id: row.id });
    });
  }

  /** The caller's pending invitations, newest first. */
  async pendingInvitations(): Promise<TeamInvitation[]> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    return manager
      .createQueryBuilder(TeamInvitation, 'invitation')
      .where(`invitation.status = 'PENDING' AND invitation.email = (SELECT email FROM users WHERE id = :userId)`, { userId: actor.userId })
      .orderBy('invitation.created_at', 'DESC')
      .getMany();
  }

  /** The invitee joins the team with the invited role. Someone else's invitation is NOT_FOUND. */
  async accept(invitationGlobalId: string): Promise<{ invitation: TeamInvitation; membership: Membership }> {
    const actor = requireActor(this.context);
    const invitationId = fromGlobalId(invitationGlobalId, 'TeamInvitation', 'invitationId');
    return this.context.db.transaction(async (manager) => {
      const [accepted] = (await manager.query('SELECT team_id, role FROM claimgraph_accept_invitation($1)', [invitationId])) as {
        team_id: string;
        role: Role;
      }[];
      if (!accepted) throw notFound('TeamInvitation');
      this.context.credentialsChanged(actor.userId);
      await recordHistory(manager, {
        teamId: accepted.team_id,
        actorId: actor.userId,
        entityType: 'Membership',
        entityId: actor.userId,
        action: 'ADD_MEMBER',
        reason: 'accepted an invitation',
        after: { userId: actor.userId, role: accepted.role },
      });
      return {
        invitation: await manager.findOneByOrFail(TeamInvitation, { id: invitationId }),
        membership: await manager.findOneByOrFail(Membership, { teamId: accepted.team_id, userId: actor.userId }),
      };
    });
  }

  /** The invitee says no; the team sees the invitation DECLINED. */
  async decline(invitationGlobalId: string): Promise<TeamInvitation> {
    const actor = requireActor(this.context);
    const invitationId = fromGlobalId(invitationGlobalId, 'TeamInvitation', 'invitationId');
    return this.context.db.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE team_invitations SET status = 'DECLINED', responded_at = now()
          WHERE id = $1 AND status = 'PENDING' AND email = (SELECT email FROM users WHERE id = $2) RETURNING id`,
        [invitationId, actor.userId],
      )) as [unknown[], number];
      if (rows[1] === 0) throw notFound('TeamInvitation');
      return manager.findOneByOrFail(TeamInvitation, { id: invitationId });
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
        teamId,
        actorId: actor.userId,
        entityType: 'Membership',
        entityId: userId,
        action: 'CHANGE_ROLE',
        before: { role: current.role },
        after: { role },
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
        teamId,
        actorId: actor.userId,
        entityType: 'Membership',
        entityId: userId,
        action: 'REMOVE_MEMBER',
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
    const [me] = (await manager.query('SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2', [teamId, requireActor(this.context).userId])) as {
      role: Role;
    }[];
    if (!me) throw notFound('Team');
    if (!can(me.role, 'team.manageMembers')) throw new DomainError(ErrorCode.FORBIDDEN, 'You are no longer an OWNER of this team');
  }

  private async keepAnOwner(manager: EntityManager, teamId: string): Promise<void> {
    const [row] = (await manager.query(`SELECT count(*)::int AS owners FROM memberships WHERE team_id = $1 AND role = 'OWNER'`, [teamId])) as {
      owners: number;
    }[];
    if (row.owners <= 1) throw new DomainError(ErrorCode.LAST_OWNER, 'A team must keep at least one OWNER; make someone else OWNER first');
  }
}
