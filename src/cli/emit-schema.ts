import fs from 'node:fs';
import path from 'node:path';
import { buildClaimgraphSchema, printClaimgraphSchema } from '../schema';

/** `npm run schema`: rewrites schema/schema.graphql from the code. */
async function main(): Promise<void> {
  const target = path.resolve(__dirname, '../../schema/schema.graphql');
  fs.writeFileSync(target, printClaimgraphSchema(await buildClaimgraphSchema()));
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
