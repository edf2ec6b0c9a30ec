import { Field, ID, InterfaceType } from 'type-graphql';

/**
 * Relay's Node. Entities keep their raw UUID in `id` (what TypeORM maps); the GraphQL `id` is the
 * opaque global ID, served from each entity's `nodeId` getter. Type resolution falls back to
 * type-graphql's `instanceof` check, so resolvers must return entity instances, not plain rows.
 */
@InterfaceType('Node', { description: 'An object with a globally unique, opaque ID.' })
export abstract class Node {
  // Not `abstract`: some compilers drop decorators on abstract members.
  @Field(() => ID, { name: 'id', description: 'Opaque global ID; pass it to `node(id:)`.' })
  readonly nodeId!: string;
}
