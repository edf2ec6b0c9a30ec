import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { ConnectionArgs } from '../../shared/pagination';

@InputType()
export class HistoryFilter {
  @Field(() => ID, { nullable: true, description: 'Only changes by this user.' }) actorId?: string | null;
  @Field(() => [String], { nullable: true, description: 'Only these actions (CREATE, UPDATE, SUBMIT, ...).' }) actions?: string[] | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'At or after.' }) from?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Before.' }) to?: Date | null;
}

@ArgsType()
export class HistoryArgs extends ConnectionArgs {
  @Field(() => HistoryFilter, { nullable: true }) filter?: HistoryFilter | null;
}
