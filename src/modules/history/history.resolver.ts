import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { connectionType } from '../../shared/pagination';
import { User } from '../user/user.entity';
import { Node } from '../../shared/node';
import { HistoryEvent } from './history-event.entity';

export const HistoryEventConnection = connectionType(HistoryEvent, 'HistoryEvent');

@Resolver(() => HistoryEvent)
export class HistoryEventResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who made the change (null for system changes).' })
  actor(@Root() event: HistoryEvent, @Ctx() context: Context): Promise<User | null> | null {
    return event.actorId ? context.loaders.entity(User, false).load(event.actorId) : null;
  }

  @FieldResolver(() => Node, { nullable: true, description: 'The changed object as it is now; null once deleted or when it is not a node.' })
  node(@Root() event: HistoryEvent, @Ctx() context: Context): Promise<object | null> {
    return context.services.nodes.get(event.entityNodeId);
  }
}
