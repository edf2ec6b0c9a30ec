import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClaimgraphSchema, printClaimgraphSchema } from '../src/schema';

describe('schema/schema.graphql', () => {
  it('is what the code generates (run `npm run schema` and commit when this fails)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../schema/schema.graphql'), 'utf8');
    expect(printClaimgraphSchema(await buildClaimgraphSchema())).toBe(committed);
  });
});
