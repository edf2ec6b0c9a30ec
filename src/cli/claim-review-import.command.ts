import type { Command } from 'commander';
import { readInput } from './import.command';
import type { CliRuntime } from './runtime';

interface ImportClaimReviewsOptions {
  team: string;
  as?: string;
  token?: string;
}

/** `import-claimreviews FILE|- --team SLUG`: another organisation's ClaimReview JSON-LD as claims with external verdicts. */
export function registerClaimReviewImportCommand(
  program: Command,
  action: <A extends unknown[]>(work: (runtime: CliRuntime, ...args: A) => Promise<void>) => (...args: A) => Promise<void>,
): void {
  program
    .command('import-claimreviews')
    .description('import ClaimReview JSON-LD (a document, an @graph, an array or a DataFeed) from another organisation; FILE "-" reads standard input')
    .argument('<file>')
    .requiredOption('--team <slug>')
    .option('--as <email>', 'act as this user (an EDITOR of the team)')
    .option('--token <token>', 'act as the owner of this API token')
    .action(
      action(async (runtime: CliRuntime, file: string, options: ImportClaimReviewsOptions) => {
        const document = await readInput(file);
        const actor = await runtime.actor(options);
        const result = await runtime.run(actor, async (context) => {
          const team = await context.services.teams.getBySlug(options.team);
          return context.services.claimReviewImports.import({ teamId: team.nodeId, document });
        });
        for (const claim of result.claims) {
          const verdict = claim.externalReview!;
          console.log(`${claim.nodeId}\t${verdict.organizationName}\t${verdict.alternateName ?? verdict.ratingValue}\t${claim.quoteExact}`);
        }
        console.log(`imported ${result.claims.length} ClaimReviews (${result.alreadyImported} imported before)`);
      }),
    );
}
