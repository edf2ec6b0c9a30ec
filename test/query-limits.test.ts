import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { buildClaimgraphSchema } from '../src/schema';
import { analyzeOperation } from '../src/http/query-limits';

describe('analyzeOperation', () => {
  it('measures a document again whenever its measure reads variables, and once when it reads none', async () => {
    const schema = await buildClaimgraphSchema();
    const sized = parse('query($first: Int, $id: ID!) { article(id: $id) { claims(first: $first) { nodes { verdicts(first: 10) { nodes { id } } } } } }');
    expect(analyzeOperation(schema, sized, null, { id: 'a', first: 2 })!.nodes).toBe(2 + 2 * 10);
    expect(analyzeOperation(schema, sized, null, { id: 'a', first: 50 })!.nodes).toBe(50 + 50 * 10);
    expect(analyzeOperation(schema, sized, null, { id: 'a', first: 500 })!.badArgument).toMatchObject({ argument: 'first', value: 500 });
    expect(analyzeOperation(schema, sized, null, { id: 'a', first: 5 })!.badArgument).toBeNull();
    const literal = parse('query($id: ID!) { a: article(id: $id) { claims(first: 3) { nodes { id } } } }');
    const first = analyzeOperation(schema, literal, null, { id: 'a' });
    expect(first).toMatchObject({ nodes: 3, aliases: 1, depth: 4 });
    expect(analyzeOperation(schema, literal, null, { id: 'b' })).toBe(first);
    // another document with the same text is measured on its own
    expect(analyzeOperation(schema, parse('query($id: ID!) { a: article(id: $id) { claims(first: 3) { nodes { id } } } }'), null, { id: 'b' })).toEqual(first);
  });
});
