import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { connectionType, type ConnectionResult } from '../../shared/pagination';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Source } from './source.entity';
import { CreateSourceInput, SourcePayload, SourcesArgs, UpdateSourceInput } from './source.inputs';

export const SourceConnection = connectionType(Source, 'Source');

@Resolver(() => Source)
export class SourceResolver {
  @Query(() => SourceConnection, { description: 'Sources of your teams, by name.' })
  sources(@Args(() => SourcesArgs) args: SourcesArgs, @Ctx() context: Context): Promise<ConnectionResult<Source>> {
    return context.services.sources.list(args);
  }

  @Query(() => Source)
  source(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Source> {
    return context.services.sources.getByGlobalId(id);
  }

  @Mutation(() => SourcePayload, { description: 'Records a person, organisation or document claims rest on (EDITOR).' })
  async createSource(@Arg('input', () => CreateSourceInput) input: CreateSourceInput, @Ctx() context: Context): Promise<SourcePayload> {
    return { source: await context.services.sources.create(input) };
  }

  @Mutation(() => SourcePayload, { description: 'Changes a source (EDITOR); needs the version you read.' })
  async updateSource(@Arg('input', () => UpdateSourceInput) input: UpdateSourceInput, @Ctx() context: Context): Promise<SourcePayload> {
    return { source: await context.services.sources.update(input) };
  }

  @FieldResolver(() => HistoryEventConnection)
  history(@Root() source: Source, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: source.id }, source.teamId, args);
  }
}
