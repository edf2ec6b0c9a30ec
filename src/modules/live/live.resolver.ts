import { Arg, Ctx, Field, ID, ObjectType, Resolver, Root, Subscription } from 'type-graphql';
import type { PubSub, SubscribeResolverData } from 'type-graphql';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { badInput, notFound } from '../../shared/errors';
import { authorize } from '../team/permissions';
import { Claim } from '../claim/claim.entity';
import { Verdict } from '../verdict/verdict.entity';
import { HistoryEvent } from '../history/history-event.entity';
import type { EventHub, LiveNotice, NoticeFilter } from './event-hub';

/** What a WebSocket operation's context carries besides the usual request context. */
export interface LiveSession {
  hub: EventHub;
  /** The connection's credentials, as headers: checked again for every event. */
  credentials: Record<string, string>;
}
export type LiveContext = Context & { live?: LiveSession };

/**
 * type-graphql insists on a PubSub when a schema has subscriptions; every claimgraph subscription
 * brings its own `subscribe` (backed by the EventHub), so this one is never used.
 */
export const noPubSub: PubSub = {
  publish() {
    throw new Error('claimgraph publishes through history_events, not PubSub');
  },
  subscribe() {
    throw new Error('claimgraph subscriptions use their own subscribe functions');
  },
};

@ObjectType('ClaimChange', { description: 'A change to a claim, delivered after it committed.' })
export class ClaimChange {
  @Field(() => HistoryEvent, { description: 'What happened, by whom, before and after.' }) event: HistoryEvent;
  @Field(() => Claim, { description: 'The claim as it is now (deleted ones show `deletedAt`).' }) claim: Claim;
}

@ObjectType('VerdictChange', { description: 'A verdict given, revised or withdrawn, delivered after it committed.' })
export class VerdictChange {
  @Field(() => HistoryEvent) event: HistoryEvent;
  @Field(() => Verdict, { description: 'The verdict as it is now.' }) verdict: Verdict;
  @Field(() => Claim) claim: Claim;
}

const OVER_WEBSOCKET = 'Subscriptions are served over WebSocket (graphql-ws protocol) on /graphql';

async function listen(context: LiveContext, teamId: string, filter: NoticeFilter): Promise<AsyncIterable<LiveNotice>> {
  const hub = context.live?.hub;
  if (!hub) throw badInput(OVER_WEBSOCKET);
  const stream = hub.subscribe(teamId, filter);
  try {
    // from its starting snapshot on, nothing that commits is missed
    await hub.whenStarted(stream);
  } catch (error) {
    await stream.return();
    throw error;
  }
  return stream;
}

/** The event being delivered; a subscription sent as a plain query (over HTTP) has none. */
function delivered(root: LiveNotice | undefined): LiveNotice {
  if (!root?.id) throw badInput(OVER_WEBSOCKET);
  return root;
}

async function loadEvent(context: Context, root: LiveNotice | undefined): Promise<HistoryEvent> {
  const notice = delivered(root);
  const manager = await context.db.manager();
  const event = await manager
    .createQueryBuilder(HistoryEvent, 'event')
    .where('event.id = :id AND event.team_id = ANY(:teamIds)', { id: notice.id, teamIds: [...context.db.teamIds] })
    .getOne();
  if (!event) throw notFound('HistoryEvent');
  return event;
}

async function loadClaim(context: Context, claimId: string): Promise<Claim> {
  const claim = await context.loaders.entity(Claim).load(claimId);
  if (!claim) throw notFound('Claim');
  return claim;
}

/**
 * Live updates. The subscribe phase checks that the caller may see what they ask for and starts
 * a stream of notices; each notice is then executed in a fresh context of its own (see
 * src/modules/live/websocket.ts), after the caller's credentials and membership are checked again.
 */
@Resolver()
export class LiveResolver {
  @Subscription(() => ClaimChange, {
    description: 'Changes to the claims of an article: created, edited, status, disputes, publishing, deletion.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { articleId: string }, LiveContext>) => {
      const article = await context.services.articles.getByGlobalId(args.articleId, 'articleId');
      return listen(context, article.teamId, (notice) => notice.entityType === 'Claim' && notice.articleId === article.id);
    },
  })
  async claimChanged(@Root() notice: LiveNotice | undefined, @Arg('articleId', () => ID) _articleId: string, @Ctx() context: Context): Promise<ClaimChange> {
    const event = await loadEvent(context, notice);
    return { event, claim: await loadClaim(context, event.entityId) };
  }

  @Subscription(() => VerdictChange, {
    description: 'Verdicts given, revised or withdrawn on one claim, or on any claim of one article (pass exactly one).',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { claimId?: string | null; articleId?: string | null }, LiveContext>) => {
      if (Boolean(args.claimId) === Boolean(args.articleId)) throw badInput('Pass exactly one of claimId or articleId', 'claimId');
      if (args.claimId) {
        const claim = await context.services.claims.getByGlobalId(args.claimId, 'claimId');
        return listen(context, claim.teamId, (notice) => notice.entityType === 'Verdict' && notice.claimId === claim.id);
      }
      const article = await context.services.articles.getByGlobalId(args.articleId!, 'articleId');
      return listen(context, article.teamId, (notice) => notice.entityType === 'Verdict' && notice.articleId === article.id);
    },
  })
  async verdictChanged(
    @Root() notice: LiveNotice | undefined,
    @Arg('claimId', () => ID, { nullable: true }) _claimId: string | null,
    @Arg('articleId', () => ID, { nullable: true }) _articleId: string | null,
    @Ctx() context: Context,
  ): Promise<VerdictChange> {
    const event = await loadEvent(context, notice);
    const verdict = await context.loaders.entity(Verdict).load(event.entityId);
    if (!verdict) throw notFound('Verdict');
    return { event, verdict, claim: await loadClaim(context, verdict.claimId) };
  }

  @Subscription(() => HistoryEvent, {
    description: "The team's activity feed, live: every change in the team as it commits.",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, { teamId: string }, LiveContext>) => {
      const actor = requireActor(context);
      const teamId = fromGlobalId(args.teamId, 'Team', 'teamId');
      authorize(actor, teamId, 'team.read', 'Team');
      return listen(context, teamId, () => true);
    },
  })
  teamActivity(@Root() notice: LiveNotice | undefined, @Arg('teamId', () => ID) _teamId: string, @Ctx() context: Context): Promise<HistoryEvent> {
    return loadEvent(context, notice);
  }
}
