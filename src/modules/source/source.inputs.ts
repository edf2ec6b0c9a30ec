import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { URLResolver } from 'graphql-scalars';
import { Source, SourceKind } from './source.entity';
import { ConnectionArgs } from '../../shared/pagination';

@InputType()
export class CreateSourceInput {
  @Field(() => ID) teamId: string;
  @Field(() => SourceKind) kind: SourceKind;
  @Field(() => String, { nullable: true, description: 'Required unless `anonymous`.' }) name?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) affiliation?: string | null;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) anonymous?: boolean;
  @Field(() => String, { nullable: true, description: 'Required when `anonymous`: how the text describes the source.' })
  descriptor?: string | null;
}

@InputType()
export class UpdateSourceInput {
  @Field(() => ID) sourceId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => SourceKind, { nullable: true }) kind?: SourceKind | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true }) affiliation?: string | null;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => Boolean, { nullable: true }) anonymous?: boolean | null;
  @Field(() => String, { nullable: true }) descriptor?: string | null;
}

@ObjectType()
export class SourcePayload {
  @Field(() => Source) source: Source;
}

@ArgsType()
export class SourcesArgs extends ConnectionArgs {
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => String, { nullable: true, description: 'Words of the name or descriptor (case- and accent-insensitive prefix match on each word).' })
  search?: string | null;
}
