import { randomUUID } from 'node:crypto';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { authorize } from './permissions';
import { fromGlobalId } from '../../shared/ids';
import { notFound } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { diff, recordHistory, snapshot } from '../history/history.service';
import { Team } from './team.entity';
import { Membership } from './membership.entity';
import { Role } from './role';
import { refreshTeamClaimStatuses } from '../claim/claim-status';
import type { CreateTeamInput, UpdateTeamInput } from './team.inputs';

const TEAM_FIELDS = ['slug', 'name', 'verdictQuorum', 'organizationName', 'organizationUrl', 'organizationLogoUrl', 'publicBaseUrl'] as const;

/** Publishing settings: absent leaves the value, null clears it. */
const PUBLISHING_FIELDS = ['organizationName', 'organizationUrl', 'organizationLogoUrl', 'publicBaseUrl'] as const;

export class TeamService {
  constructor(private readonly context: Context) {}

  /** The caller's teams. */
  async list(args: ConnectionArgs): Promise<ConnectionResult<Team>> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(Team, 'team').where('team.id = ANY(:ids)', { ids: actor.teamIds });
    return paginate(
      query,
      [
        { expression: 'team.slug', direction: 'ASC', type: 'text' },
        { expression: 'team.id', direction: 'ASC', type: 'uuid' },
      ],
      args,
    );
  }

  async get(teamId: string): Promise<Team> {
    const actor = requireActor(this.context);
    authorize(actor, teamId, 'team.read', 'Team');
    const team = await this.context.loaders.entity(Team, false).load(teamId);
    if (!team) throw notFound('Team');
    return team;
  }

  async getByGlobalId(globalId: string): Promise<Team> {
    return this.get(fromGlobalId(globalId, 'Team', 'id'));
  }

  async getBySlug(slug: string): Promise<Team> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const team = await manager.findOne(Team, { where: { slug } });
    if (!team || !actor.roleIn(team.id)) throw notFound('Team');
    return team;
  }

  /** Anyone signed in may open a desk; they become its first OWNER. */
  async create(input: CreateTeamInput): Promise<Team> {
    const actor = requireActor(this.context);
    // The id is chosen here so the new team can join this transaction's scope before the insert:
    // row-level security admits only rows of the caller's teams.
    const teamId = randomUUID();
    await this.context.db.addTeam(teamId);
    const team = await this.context.db.transaction(async (manager) => {
      const created = manager.create(Team, {
        id: teamId,
        slug: input.slug,
        name: input.name.trim(),
        verdictQuorum: input.verdictQuorum ?? 2,
        createdBy: actor.userId,
      });
      await manager.insert(Team, created);
      await manager.insert(Membership, { teamId: created.id, userId: actor.userId, role: Role.OWNER });
      this.context.credentialsChanged(actor.userId);
      await recordHistory(manager, {
        teamId: created.id,
        actorId: actor.userId,
        entityType: 'Team',
        entityId: created.id,
        action: 'CREATE',
        after: { ...snapshot(created, TEAM_FIELDS), ownerId: actor.userId },
      });
      return manager.findOneByOrFail(Team, { id: created.id });
    });
    this.context.session.actor = actor.withMembership(team.id, Role.OWNER);
    return team;
  }

  async update(input: UpdateTeamInput): Promise<Team> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    authorize(actor, teamId, 'team.update', 'Team');
    return this.context.db.transaction(async (manager) => {
      // NO KEY UPDATE, not UPDATE: verdict writes in flight hold the team's review lock and insert
      // rows whose foreign key share-locks this row's key; a full UPDATE lock would deadlock with
      // them once the quorum change waits for that review lock.
      const before = await manager.findOne(Team, { where: { id: teamId }, lock: { mode: 'for_no_key_update' } });
      if (!before) throw notFound('Team');
      const after = manager.create(Team, {
        ...before,
        name: input.name != null ? input.name.trim() : before.name,
        verdictQuorum: input.verdictQuorum ?? before.verdictQuorum,
      });
      for (const field of PUBLISHING_FIELDS) {
        const value = input[field];
        if (value !== undefined) after[field] = value === null ? null : value.trim();
      }
      const change = diff(before, after, TEAM_FIELDS);
      if (Object.keys(change.after).length === 0) return before;
      await manager.update(
        Team,
        { id: teamId },
        {
          name: after.name,
          verdictQuorum: after.verdictQuorum,
          organizationName: after.organizationName,
          organizationUrl: after.organizationUrl,
          organizationLogoUrl: after.organizationLogoUrl,
          publicBaseUrl: after.publicBaseUrl,
        },
      );
      await recordHistory(manager, {
        teamId,
        actorId: actor.userId,
        entityType: 'Team',
        entityId: teamId,
        action: 'UPDATE',
        ...change,
      });
      // A new quorum can settle or unsettle every claim of the desk at once.
      if ('verdictQuorum' in change.after) await refreshTeamClaimStatuses(manager, teamId, actor.userId);
      this.context.loaders.clear();
      return manager.findOneByOrFail(Team, { id: teamId });
    });
  }

  async memberships(teamId: string, args: ConnectionArgs): Promise<ConnectionResult<Membership>> {
    const actor = requireActor(this.context);
    authorize(actor, teamId, 'team.read', 'Team');
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(Membership, 'membership').where('membership.team_id = :teamId', { teamId });
    return paginate(
      query,
      [
        { expression: 'membership.created_at', direction: 'ASC', type: 'timestamptz' },
        { expression: 'membership.user_id', direction: 'ASC', type: 'uuid' },
      ],
      args,
    );
  }
}
