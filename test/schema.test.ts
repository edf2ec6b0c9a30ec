import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GraphQLObjectType } from 'graphql';
import { buildClaimgraphSchema, printClaimgraphSchema } from '../src/schema';
import { Claim } from '../src/modules/claim/claim.entity';

describe('schema/schema.graphql', () => {
  it('is what the code generates (run `npm run schema` and commit when this fails)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../schema/schema.graphql'), 'utf8');
    expect(printClaimgraphSchema(await buildClaimgraphSchema())).toBe(committed);
  });
});

describe('field resolvers', () => {
  it('leaves plain fields to the default resolver, keeps field resolvers, and reads renamed fields from their property', async () => {
    const schema = await buildClaimgraphSchema();
    const claim = (schema.getType('Claim') as GraphQLObjectType).getFields();
    // a plain column: no resolver of type-graphql's in the way of graphql-jit
    expect(claim.kind.resolve).toBeUndefined();
    expect(claim.version.resolve).toBeUndefined();
    // a @FieldResolver stays
    expect(claim.speaker.resolve).toBeTypeOf('function');
    // Node's `id` is the `nodeId` getter
    const row = Object.create(Claim.prototype) as Claim;
    row.id = '00000000-0000-4000-8000-000000000001';
    expect(claim.id.resolve!(row, {}, {}, {} as never)).toBe(row.nodeId);
    // renamed connection fields still read their property
    const connection = (schema.getType('ClaimConnection') as GraphQLObjectType).getFields();
    expect(connection.nodes.resolve).toBeTypeOf('function');
    expect(connection.edges.resolve).toBeUndefined();
  });
});
