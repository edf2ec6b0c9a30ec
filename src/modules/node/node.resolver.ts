import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context';
import { Node } from '../../shared/node';
import { badInput } from '../../shared/errors';
import { MAX_PAGE_SIZE } from '../../shared/pagination';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global ID; null when missing or not yours.' })
  node(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<object | null> {
    return context.services.nodes.get(id);
  }

  @Query(() => [Node], { nullable: 'items', description: `Several objects by global ID (at most ${MAX_PAGE_SIZE}), in the order asked.` })
  nodes(@Arg('ids', () => [ID]) ids: string[], @Ctx() context: Context): Promise<object | null>[] {
    if (ids.length > MAX_PAGE_SIZE) throw badInput(`Ask for at most ${MAX_PAGE_SIZE} ids`, 'ids');
    // One promise per entry, not Promise.all: GraphQL completes each item on its own, so a
    // malformed id is null with an error at its index (path ["nodes", i]) and the rest still answer.
    return ids.map((id, index) => context.services.nodes.get(id, index));
  }
}
