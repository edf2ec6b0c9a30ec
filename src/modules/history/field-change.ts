import { Field, ObjectType } from 'type-graphql';
import { JSONResolver } from 'graphql-scalars';

@ObjectType('FieldChange', { description: "One field that differs between two states, in the API's terms." })
export class FieldChange {
  @Field(() => String, { description: 'The GraphQL field, as a path from the changed object (`speaker`, `anchor.position.start`, `published.rating`).' })
  field: string;

  @Field(() => JSONResolver, {
    nullable: true,
    description: 'The value before (null when it had none, or is `redacted`); a reference is a global ID, a list of them a list.',
  })
  before: unknown;

  @Field(() => JSONResolver, { nullable: true, description: 'The value after, in the same form as `before`.' })
  after: unknown;

  @Field(() => Boolean, { description: "True when the values are withheld from you (a deleted comment's text, shown only to its author and to editors)." })
  redacted: boolean;

  /** Global IDs `before` refers to; `beforeNodes` resolves the ones the reader may see. */
  beforeIds: string[];

  /** Global IDs `after` refers to. */
  afterIds: string[];
}
