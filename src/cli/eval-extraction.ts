/**
 * Scores the rule-based claim extractor against a hand-labelled article.
 *
 *   npx tsx src/cli/eval-extraction.ts [TEXT_FILE LABELS_JSON] [--json] [--verbose]
 *
 * Without files it uses the kursk-monument fixture from $CLAIMGRAPH_FIXTURES, or from
 * ../shared/fixtures next to the repository.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateExtraction, extractStatements, type EvaluationReport, type LabelledStatement } from '../modules/extraction/index.js';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function fixturesDir(): string {
  return process.env.CLAIMGRAPH_FIXTURES ?? path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function printReport(report: EvaluationReport, verbose: boolean): void {
  const rows: Array<[string, string]> = [
    ['statements (predicted / labelled / matched)', `${report.predictedCount} / ${report.goldCount} / ${report.matchedCount}`],
    ['precision', percent(report.precision)],
    ['recall', percent(report.recall)],
    ['F1', percent(report.f1)],
    [`speaker accuracy (${report.speakerEvaluated} matched with a labelled speaker)`, percent(report.speakerAccuracy)],
    ['sourcing accuracy', percent(report.sourcingAccuracy)],
    ['kind accuracy', percent(report.kindAccuracy)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (!verbose) return;
  const short = (text: string): string => (text.length > 90 ? `${text.slice(0, 87)}...` : text).replace(/\n/g, '⏎');
  console.log('\nmissed:');
  for (const label of report.missed) console.log(`  [${label.kind}/${label.sourcing}] ${short(label.quote)}`);
  console.log('\nspurious:');
  for (const statement of report.spurious) console.log(`  [${statement.kind}/${statement.sourcing}] ${short(statement.quote)}`);
  console.log('\nmatched with errors:');
  for (const pair of report.matches) {
    if (pair.speakerCorrect !== false && pair.sourcingCorrect && pair.kindCorrect) continue;
    const speaker = pair.predicted.speaker ? pair.predicted.speaker.name ?? pair.predicted.speaker.descriptor : null;
    console.log(`  ${short(pair.gold.quote)}\n    kind ${pair.predicted.kind} vs ${pair.gold.kind}; sourcing ${pair.predicted.sourcing} vs ${pair.gold.sourcing}; speaker ${speaker} vs ${pair.gold.speaker}`);
  }
}

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const files = argv.filter((arg) => !arg.startsWith('--'));
  if (files.length !== 0 && files.length !== 2) {
    console.error('usage: eval-extraction [TEXT_FILE LABELS_JSON] [--json] [--verbose]');
    process.exit(2);
  }
  const [textFile, labelsFile] = files.length === 2
    ? files
    : [path.join(fixturesDir(), 'kursk-monument.txt'), path.join(fixturesDir(), 'kursk-monument.statements.json')];
  const text = readFileSync(textFile, 'utf8');
  const labels = (JSON.parse(readFileSync(labelsFile, 'utf8')) as { statements: LabelledStatement[] }).statements;
  const report = evaluateExtraction(text, extractStatements(text), labels);
  if (json) {
    const { matches, missed, spurious, ...figures } = report;
    console.log(JSON.stringify({
      ...figures,
      missed: missed.map((label) => label.quote),
      spurious: spurious.map((statement) => statement.quote),
      mismatched: matches
        .filter((pair) => pair.speakerCorrect === false || !pair.sourcingCorrect || !pair.kindCorrect)
        .map((pair) => ({ quote: pair.gold.quote, predicted: { kind: pair.predicted.kind, sourcing: pair.predicted.sourcing, speaker: pair.predicted.speaker }, labelled: { kind: pair.gold.kind, sourcing: pair.gold.sourcing, speaker: pair.gold.speaker } })),
    }, null, 2));
    return;
  }
  printReport(report, verbose);
}

main(process.argv.slice(2));
