import fs from 'node:fs';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { CliError, type CliRuntime } from './runtime';
import { ImportFormat } from '../modules/ingestion/import.inputs';

interface ImportOptions {
  team: string;
  title?: string;
  url?: string;
  outlet?: string;
  byline?: string;
  publishedAt?: string;
  language?: string;
  html?: boolean;
  allowDuplicate?: boolean;
  as?: string;
  token?: string;
}

export async function readInput(file: string): Promise<string> {
  let bytes: Buffer;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    bytes = Buffer.concat(chunks);
  } else {
    if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
    bytes = fs.readFileSync(file);
  }
  try {
    // fatal: a file that is not UTF-8 is refused, not silently turned into U+FFFD characters
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file === '-' ? 'Standard input' : file} is not UTF-8 text`);
  }
}

function truncate(text: string, length: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  return chars.length > length ? `${chars.slice(0, length - 1).join('')}…` : chars.join('');
}

/** `import FILE|- --team SLUG ...`: imports an article and prints the claims found. */
export function registerImportCommand(
  program: Command,
  action: <A extends unknown[]>(work: (runtime: CliRuntime, ...args: A) => Promise<void>) => (...args: A) => Promise<void>,
): void {
  program
    .command('import')
    .description('import an article (plain text or HTML) and extract its candidate claims; FILE "-" reads standard input')
    .argument('<file>')
    .requiredOption('--team <slug>')
    .option('--title <title>', 'default: the HTML page title')
    .option('--url <url>')
    .option('--outlet <outlet>')
    .option('--byline <byline>')
    .option('--published-at <iso date>')
    .option('--language <bcp47>', 'default en')
    .option('--html', 'treat the input as HTML (default: detected)')
    .option('--allow-duplicate', 'import even if the team has an article with the same URL or text')
    .option('--as <email>', 'act as this user (an EDITOR of the team)')
    .option('--token <token>', 'act as the owner of this API token')
    .action(
      action(async (runtime: CliRuntime, file: string, options: ImportOptions) => {
        const content = await readInput(file);
        const actor = await runtime.actor(options);
        const result = await runtime.run(actor, async (context) => {
          const team = await context.services.teams.getBySlug(options.team);
          return context.services.imports.import({
            teamId: team.nodeId,
            title: options.title ?? null,
            url: options.url ?? null,
            outlet: options.outlet ?? null,
            byline: options.byline ?? null,
            publishedAt: options.publishedAt ? new Date(options.publishedAt) : null,
            language: options.language ?? null,
            content,
            format: options.html ? ImportFormat.HTML : ImportFormat.AUTO,
            allowDuplicate: options.allowDuplicate === true,
          });
        });
        const speakers = new Map(result.speakers.map((source) => [source.id, source.displayName]));
        const table = new Table({
          head: ['#', 'kind', 'sourcing', 'speaker', 'quote', 'conf.'],
          colWidths: [4, 17, 11, 26, 70, 7],
          wordWrap: true,
          style: { head: [], border: [] },
        });
        result.claims.forEach((claim, index) => {
          table.push([
            index + 1,
            claim.kind,
            claim.sourcing,
            claim.speakerId ? (speakers.get(claim.speakerId) ?? '') : '',
            truncate(claim.quoteExact, 200),
            claim.extractionConfidence?.toFixed(2) ?? '',
          ]);
        });
        console.log(table.toString());
        console.log(
          `imported "${result.article.title}" (${result.article.nodeId}): ${result.claims.length} claims, ` +
            `${result.newSources.length} new sources, ${result.repeats} repeating reviewed claims`,
        );
      }),
    );
}
