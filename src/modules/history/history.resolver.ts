import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import type { Context } from '../../shared/context';
import { connectionType } from '../../shared/pagination';
import { User } from '../user/user.entity';
import { Node } from '../../shared/node';
import { HistoryEvent } from './history-event.entity';
import { FieldChange } from './field-change';

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

  @FieldResolver(() => JSONObjectResolver, {
    nullable: true,
    description:
      'The changed fields before the change, shaped like the GraphQL type (`{ speaker: "<Source ID>", anchor: { position: { start: 12 } } }`): field names and global IDs, as in `changes`. Null for a creation.',
  })
  async before(@Root() event: HistoryEvent, @Ctx() context: Context): Promise<Record<string, unknown> | null> {
    return (await context.services.historyView.view(event)).before;
  }

  @FieldResolver(() => JSONObjectResolver, { nullable: true, description: 'The changed fields after the change, in the same form as `before`.' })
  async after(@Root() event: HistoryEvent, @Ctx() context: Context): Promise<Record<string, unknown> | null> {
    return (await context.services.historyView.view(event)).after;
  }

  @FieldResolver(() => [FieldChange], {
    description:
      'The changed fields one by one, each with the objects it refers to (`beforeNodes`, `afterNodes`); a creation lists every recorded field, from null.',
  })
  async changes(@Root() event: HistoryEvent, @Ctx() context: Context): Promise<FieldChange[]> {
    return (await context.services.historyView.view(event)).changes;
  }
}

@Resolver(() => FieldChange)
export class FieldChangeResolver {
  @FieldResolver(() => [Node], { description: 'The objects `before` refers to, those you may see (none for a plain value).' })
  beforeNodes(@Root() change: FieldChange, @Ctx() context: Context): Promise<object[]> {
    return visibleNodes(context, change.beforeIds);
  }

  @FieldResolver(() => [Node], { description: 'The objects `after` refers to, those you may see.' })
  afterNodes(@Root() change: FieldChange, @Ctx() context: Context): Promise<object[]> {
    return visibleNodes(context, change.afterIds);
  }
}

/** Objects by global ID, leaving out those missing, deleted or outside the reader's teams. */
async function visibleNodes(context: Context, ids: readonly string[]): Promise<object[]> {
  const nodes = await Promise.all(ids.map((id) => context.services.nodes.get(id)));
  return nodes.filter((node): node is object => node !== null);
}
