/**
 * Scores the claim extractor against the labelled articles of test/fixtures (labelled by
 * test/fixtures/LABELLING.md), per article and pooled over the development and held-out sets.
 *
 *   npm run eval:extraction [-- --verbose] [-- --json]
 *   npm run eval:extraction -- ARTICLE.json [...]          (articles in the fixtures' JSON format)
 *   npm run eval:extraction -- TEXT_FILE LABELS_JSON       (a text and its .statements.json)
 *   npm run eval:extraction -- --set=dev                   (only the development articles)
 *
 * Time per article is the median of several runs after a warm-up, as wall time and as CPU time of
 * this process (the cost on one core, which other load on a shared machine disturbs less).
 */
import path from 'node:path';
import { CONFIDENCE_BANDS, figuresOf, poolCounts, type EvaluationReport, type ExtractionCounts } from '../modules/extraction/evaluate.js';
import { readLabelledArticle, readLabelledArticles, readSplit, type LabelledArticle } from '../modules/extraction/labelled-articles.js';

const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures');
const RUNS = 7;

interface ArticleResult {
  name: string;
  set: string;
  words: number;
  milliseconds: number;
  cpuMilliseconds: number;
  report: EvaluationReport;
}

function percent(value: number): string {
  return value.toFixed(2);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const HEADER = ['article', 'set', 'words', 'speech P', 'R', 'F1', 'speaker', 'sourcing', 'kind', 'assertions found', 'assertion P', 'ms wall', 'ms cpu'];

function row(name: string, set: string, counts: ExtractionCounts, words: string, milliseconds: string, cpuMilliseconds: string): string[] {
  const figures = figuresOf(counts);
  return [
    name,
    set,
    words,
    `${percent(figures.speechPrecision)} (${counts.speechMatched}/${counts.speechPredicted})`,
    `${percent(figures.speechRecall)} (${counts.speechMatched}/${counts.speechLabelled})`,
    percent(figures.speechF1),
    percent(figures.speakerAccuracy),
    percent(figures.sourcingAccuracy),
    percent(figures.kindAccuracy),
    `${percent(figures.assertionsFound)} (${counts.assertionsFound}/${counts.assertionsLabelled})`,
    // Labels keep only check-worthy assertions, so this is a floor on how many proposals are worth a look.
    `${percent(figures.assertionPrecision)} (${counts.assertionsFound}/${counts.assertionsPredicted})`,
    milliseconds,
    cpuMilliseconds,
  ];
}

function printTable(rows: string[][]): void {
  const widths = HEADER.map((_, column) => Math.max(...[HEADER, ...rows].map((cells) => cells[column].length)));
  for (const cells of [HEADER, ...rows]) console.log(cells.map((cell, column) => cell.padEnd(widths[column])).join('  '));
}

function printBands(label: string, counts: ExtractionCounts): void {
  const bands = CONFIDENCE_BANDS.map((lower, band) => {
    const upper = CONFIDENCE_BANDS[band + 1] ?? 1;
    const predicted = counts.bandPredicted[band];
    const precision = predicted === 0 ? '-' : percent(counts.bandMatched[band] / predicted);
    return `[${lower.toFixed(2)}, ${upper.toFixed(2)}${band + 1 < CONFIDENCE_BANDS.length ? ')' : ']'} ${precision} of ${predicted}`;
  });
  console.log(`precision per confidence band, ${label}: ${bands.join('; ')}`);
}

function printDetails(result: ArticleResult): void {
  const short = (text: string): string => (text.length > 110 ? `${text.slice(0, 107)}...` : text).replace(/\n/g, '⏎');
  const speakerOf = (statement: EvaluationReport['spurious'][number]): string =>
    statement.speaker ? (statement.speaker.name ?? statement.speaker.descriptor ?? '?') : '-';
  console.log(`\n## ${result.name} (${result.set})`);
  for (const label of result.report.missed) console.log(`  missed   [${label.kind}/${label.sourcing} ${label.speaker ?? '-'}] ${short(label.quote)}`);
  for (const statement of result.report.spurious)
    console.log(`  spurious [${statement.kind}/${statement.sourcing} ${speakerOf(statement)} ${statement.confidence}] ${short(statement.quote)}`);
  for (const pair of result.report.matches) {
    if (pair.speakerCorrect && pair.sourcingCorrect && pair.kindCorrect) continue;
    console.log(
      `  wrong    ${short(pair.gold.quote)}\n           kind ${pair.predicted.kind} vs ${pair.gold.kind}; sourcing ${pair.predicted.sourcing} vs ${pair.gold.sourcing}; speaker ${speakerOf(pair.predicted)} vs ${pair.gold.speaker ?? '-'}`,
    );
  }
  for (const label of result.report.missedAssertions) console.log(`  missed assertion  ${short(label.quote)}`);
  for (const statement of result.report.unlabelledAssertions) console.log(`  unlabelled assertion [${statement.confidence}]  ${short(statement.quote)}`);
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const files = argv.filter((arg) => !arg.startsWith('--'));
  const onlySet = argv.find((arg) => arg.startsWith('--set='))?.slice('--set='.length);

  // The extractor loads its language model when its module loads: measure what that costs.
  global.gc?.();
  const before = process.memoryUsage();
  const { evaluateExtraction, extractStatements } = await import('../modules/extraction/index.js');
  extractStatements('Warm-up: the model is read on first use, Ms. Smith said.');
  global.gc?.();
  const after = process.memoryUsage();

  let articles: Array<LabelledArticle & { set: string }>;
  if (files.length === 2 && files[0].endsWith('.txt')) {
    articles = [{ ...readLabelledArticle(files[0], files[1]), set: 'given' }];
  } else if (files.length > 0) {
    articles = files.map((file) => ({ ...readLabelledArticle(file), set: 'given' }));
  } else {
    const split = readSplit(FIXTURES);
    articles = readLabelledArticles(FIXTURES).map((article) => ({
      ...article,
      set: split.development.includes(article.name) ? 'dev' : split.heldOut.includes(article.name) ? 'held-out' : 'other',
    }));
  }

  if (onlySet) articles = articles.filter((article) => article.set === onlySet);
  // Warm-up over every article first, so the first one timed does not pay for the JIT.
  const proposed = articles.map((article) => extractStatements(article.text));
  const results: ArticleResult[] = articles.map((article, index) => {
    const statements = proposed[index];
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      extractStatements(article.text);
      const used = process.cpuUsage(cpu);
      times.push(performance.now() - started);
      cpuTimes.push((used.user + used.system) / 1000);
    }
    return {
      name: article.name,
      set: article.set,
      words: article.text.split(/\s+/).filter(Boolean).length,
      milliseconds: median(times),
      cpuMilliseconds: median(cpuTimes),
      report: evaluateExtraction(article.text, statements, article.statements),
    };
  });

  const sets = [...new Set(results.map((result) => result.set))];
  const pooled = sets.map((set) => ({ set, counts: poolCounts(results.filter((result) => result.set === set).map((result) => result.report.counts)) }));
  const all = poolCounts(results.map((result) => result.report.counts));

  if (json) {
    console.log(
      JSON.stringify(
        {
          articles: results.map((result) => ({
            name: result.name,
            set: result.set,
            words: result.words,
            milliseconds: result.milliseconds,
            cpuMilliseconds: result.cpuMilliseconds,
            ...figuresOf(result.report.counts),
            counts: result.report.counts,
          })),
          pooled: Object.fromEntries([
            ...pooled.map(({ set, counts }) => [set, { ...figuresOf(counts), counts }]),
            ['all', { ...figuresOf(all), counts: all }],
          ]),
          modelMemory: { heapBytes: after.heapUsed - before.heapUsed, rssBytes: after.rss - before.rss },
        },
        null,
        2,
      ),
    );
    return;
  }

  const rows = results.map((result) =>
    row(result.name, result.set, result.report.counts, String(result.words), result.milliseconds.toFixed(1), result.cpuMilliseconds.toFixed(1)),
  );
  for (const { set, counts } of pooled) rows.push(row(`POOLED ${set}`, set, counts, '', '', ''));
  if (pooled.length > 1) rows.push(row('POOLED all', 'all', all, '', '', ''));
  printTable(rows);
  console.log('');
  for (const { set, counts } of pooled) printBands(set, counts);
  const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  console.log(`model and extractor loaded: heap +${megabytes(after.heapUsed - before.heapUsed)} MB, rss +${megabytes(after.rss - before.rss)} MB`);
  console.log('speech = quotes + reported speech; a match overlaps by at least half of the longer span, one to one.');
  if (verbose) for (const result of results) printDetails(result);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
