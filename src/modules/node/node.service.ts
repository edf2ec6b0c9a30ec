import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { decodeGlobalId } from '../../shared/ids';
import { badInput, DomainError, ErrorCode } from '../../shared/errors';
import { User } from '../user/user.entity';
import { HistoryEvent } from '../history/history-event.entity';
import { ArticleRevision } from '../article/article-revision.entity';

/** Relay's `node(id)`: any object by global ID, or null when it is missing or not yours. */
export class NodeService {
  constructor(private readonly context: Context) {}

  /** `index`: the id's place in `nodes(ids)`, named in the error so the client knows which one. */
  async get(globalId: string, index?: number): Promise<object | null> {
    requireActor(this.context);
    const decoded = decodeGlobalId(globalId);
    if (!decoded) {
      if (index === undefined) throw badInput('id is not a valid ID', 'id');
      throw new DomainError(ErrorCode.BAD_USER_INPUT, `ids[${index}] is not a valid ID`, { field: 'ids', index });
    }
    try {
      return await this.load(decoded.type, decoded.rawId);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND) return null;
      throw error;
    }
  }

  private async load(type: string, rawId: string): Promise<object | null> {
    const services = this.context.services;
    switch (type) {
      case 'Team':
        return services.teams.get(rawId);
      case 'Article':
        return services.articles.get(rawId);
      case 'Claim':
        return services.claims.get(rawId);
      case 'Source':
        return services.sources.get(rawId);
      case 'Evidence':
        return services.evidence.get(rawId);
      case 'Verdict':
        return services.verdicts.get(rawId);
      case 'Comment':
        return services.comments.get(rawId);
      case 'Assignment':
        return services.assignments.get(rawId);
      case 'WebhookEndpoint':
        return services.webhooks.get(rawId);
      case 'User':
        return this.user(rawId);
      case 'ApiToken':
        return services.auth.apiToken(rawId);
      case 'HistoryEvent':
        return this.historyEvent(rawId);
      case 'ArticleRevision':
        return this.revision(rawId);
      default:
        return null;
    }
  }

  /** A user is visible to themselves and to people they share a team with. */
  async user(userId: string): Promise<User | null> {
    const actor = requireActor(this.context);
    if (userId !== actor.userId) {
      // batched: a page of history names many users (actors, reviewers, authors)
      const shared = await this.context.loaders
        .keyed<string, boolean>('User.sharesTeam', async (userIds) => {
          const rows = await this.context.db.query<{ user_id: string }>(
            'SELECT DISTINCT user_id FROM memberships WHERE user_id = ANY($1::uuid[]) AND team_id = ANY($2::uuid[])',
            [[...userIds], actor.teamIds],
          );
          const found = new Set(rows.map((row) => row.user_id));
          return userIds.map((id) => found.has(id));
        })
        .load(userId);
      if (!shared) return null;
    }
    return this.context.loaders.entity(User, false).load(userId);
  }

  private async historyEvent(rawId: string): Promise<HistoryEvent | null> {
    const manager = await this.context.db.manager();
    return manager
      .createQueryBuilder(HistoryEvent, 'event')
      .where('event.id = :id AND event.team_id = ANY(:teamIds)', { id: rawId, teamIds: requireActor(this.context).teamIds })
      .getOne();
  }

  private async revision(rawId: string): Promise<object | null> {
    const manager = await this.context.db.manager();
    const revision = await manager
      .createQueryBuilder(ArticleRevision, 'revision')
      .where('revision.id = :id AND revision.team_id = ANY(:teamIds)', { id: rawId, teamIds: requireActor(this.context).teamIds })
      .getOne();
    return revision ?? null;
  }
}
