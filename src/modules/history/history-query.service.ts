import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { authorize } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { badInput } from '../../shared/errors';
import { paginate, type ConnectionResult } from '../../shared/pagination';
import { validDate } from '../../shared/values';
import { HistoryEvent } from './history-event.entity';
import type { HistoryArgs } from './history.inputs';

export type HistoryScope = { entityId: string } | { claimId: string } | { articleId: string } | { teamId: string };

const SCOPE_COLUMN: Record<string, string> = { entityId: 'entity_id', claimId: 'claim_id', articleId: 'article_id', teamId: 'team_id' };

/** Reading the append-only change log: per object, per claim or article, or a whole team's feed. */
export class HistoryQueryService {
  constructor(private readonly context: Context) {}

  async list(scope: HistoryScope, teamId: string, args: HistoryArgs): Promise<ConnectionResult<HistoryEvent>> {
    const actor = requireActor(this.context);
    authorize(actor, teamId, 'team.read', 'Team');
    const [key, value] = Object.entries(scope)[0] as [string, string];
    const manager = await this.context.db.manager();
    const query = manager
      .createQueryBuilder(HistoryEvent, 'event')
      .where(`event.${SCOPE_COLUMN[key]} = :value`, { value })
      .andWhere('event.team_id = :teamId', { teamId });
    const filter = args.filter;
    if (filter?.actorId) query.andWhere('event.actor_id = :actorId', { actorId: fromGlobalId(filter.actorId, 'User', 'filter.actorId') });
    if (filter?.actions?.length) {
      if (filter.actions.some((action) => !/^[A-Z][A-Z_]{0,40}$/.test(action)))
        throw badInput('filter.actions must be action names like UPDATE', 'filter.actions');
      query.andWhere('event.action = ANY(:actions)', { actions: filter.actions });
    }
    const from = validDate(filter?.from, 'filter.from');
    const to = validDate(filter?.to, 'filter.to');
    if (from) query.andWhere('event.at >= :from', { from });
    if (to) query.andWhere('event.at < :to', { to });
    // Newest first; the identity id orders events exactly as they were written.
    return paginate(query, [{ expression: 'event.id', direction: 'DESC', type: 'bigint' }], args);
  }
}
