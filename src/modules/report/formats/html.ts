import { ratingLabel, type Rating } from '../../verdict/rating';
import { ClaimStatus, Sourcing } from '../../claim/claim.enums';
import { speakerName, type ReportRow } from '../report-row';
import { describeScope, type ReportScope } from '../report.filter';
import {
  RATINGS,
  SOURCINGS,
  STATUSES,
  type AgreementFigure,
  type ArticleSourcing,
  type ClaimCounts,
  type SettleTime,
  type VerdictCounts,
} from '../report.figures';
import { barChart, escapeHtml, stackedBarChart } from './chart';
import { neutralizeFormula } from './formula';
import type { DocumentParts } from './stream-parts';

export interface HtmlFigures {
  claims: ClaimCounts;
  verdicts: VerdictCounts;
  agreement: AgreementFigure[];
  settle: SettleTime;
  /** `articles`: how many articles the report has (null: not counted) */
  articles: { articles: number | null; rows: ArticleSourcing[] };
}

/** Articles drawn in the sourcing chart; the rest are counted in its caption. */
export const CHART_ARTICLES = 30;

const RATING_COLORS: Record<Rating, string> = {
  TRUE: '#1a9850',
  MOSTLY_TRUE: '#91cf60',
  MIXED: '#fee08b',
  MOSTLY_FALSE: '#fc8d59',
  FALSE: '#d73027',
  MISLEADING: '#9e6ac8',
  UNVERIFIABLE: '#bdbdbd',
};
const SOURCING_COLORS: Record<Sourcing, string> = { SOURCED: '#2166ac', ANONYMOUS: '#92c5de', UNSOURCED: '#f7f7f7' };
const SOURCING_LABELS: Record<Sourcing, string> = { SOURCED: 'Sourced', ANONYMOUS: 'Anonymous', UNSOURCED: 'Unsourced' };
const STATUS_LABELS: Record<ClaimStatus, string> = {
  UNREVIEWED: 'Unreviewed',
  IN_REVIEW: 'In review',
  DISPUTED: 'Disputed',
  NEEDS_REREVIEW: 'Needs re-review',
  SETTLED: 'Settled',
};

// Print: black on white, the table's header repeated on each page, no row split across pages,
// and colours kept for the charts (their numbers are printed beside them anyway).
const STYLE = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; }
.meta { color: #555; margin: 0; }
dl.filter { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dl.filter dt { font-weight: 600; }
.figures { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
table { border-collapse: collapse; }
table.counts td, table.counts th { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; } table.counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; } figcaption { color: #444; font-size: .9rem; }
svg.chart { max-width: 100%; height: auto; }
table.rows { width: 100%; margin-top: .5rem; }
table.rows th, table.rows td { border: 1px solid #ccc; padding: .3rem .4rem; vertical-align: top; text-align: left; }
table.rows thead th { background: #eee; }
table.rows tr.article th { background: #f6f6f6; font-weight: 600; }
table.rows td.quote { max-width: 28rem; } .rating { white-space: nowrap; } .small { color: #555; font-size: .85rem; }
.text-changed { color: #8a1c00; font-size: .85rem; }
ul.plain { margin: 0; padding-left: 1rem; } a { color: #0645ad; word-break: break-all; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: #111; text-decoration: none; }
  h2 { break-after: avoid; }
  figure, table.counts { break-inside: avoid; }
  table.rows thead { display: table-header-group; }
  table.rows tr { break-inside: avoid; }
  table.rows thead th, table.rows tr.article th { background: none; }
  svg.chart { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}`;

/**
 * Text from outside (titles, quotes, names) where it starts a table cell: a spreadsheet program
 * opening the report (Excel reads HTML tables) must not run it as a formula, as in the CSV.
 */
const cellText = (value: string): string => escapeHtml(neutralizeFormula(value));

export function humanDuration(seconds: number | null): string {
  if (seconds === null) return 'n/a';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const days = Math.floor(hours / 24);
  return `${days} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

const formatDate = (date: Date | null): string => (date ? date.toISOString().slice(0, 10) : 'undated');

function countsTable(caption: string, rows: [string, number][]): string {
  return `<table class="counts"><caption>${escapeHtml(caption)}</caption><tbody>${rows
    .map(([label, count]) => `<tr><th scope="row">${escapeHtml(label)}</th><td class="n">${count}</td></tr>`)
    .join('')}</tbody></table>`;
}

function figuresSection(figures: HtmlFigures): string {
  const { claims, verdicts, agreement, settle, articles } = figures;
  const agreementRows = agreement
    .map(
      (figure) =>
        `<tr><th scope="row">${escapeHtml(figure.method)}</th><td class="n">${figure.alpha === null ? 'n/a' : figure.alpha.toFixed(3)}</td><td class="n">${figure.units}</td></tr>`,
    )
    .join('');
  const reviewerRows = verdicts.byReviewer
    .map(
      (reviewer) =>
        `<tr><th scope="row">${cellText(reviewer.reviewerName)}</th><td class="n">${reviewer.verdicts}</td>${RATINGS.map((rating) => `<td class="n">${reviewer.byRating[rating]}</td>`).join('')}</tr>`,
    )
    .join('');
  const ratingChart = barChart(
    'chart-ratings',
    'Current verdicts by rating',
    RATINGS.map((rating) => ({
      label: ratingLabel(rating),
      value: verdicts.byRating[rating],
      color: RATING_COLORS[rating],
    })),
  );
  const publishedChart = claims.published
    ? `<figure><figcaption>Published claims by rating</figcaption>${barChart(
        'chart-published',
        'Published claims by rating',
        RATINGS.map((rating) => ({
          label: ratingLabel(rating),
          value: claims.byPublishedRating[rating],
          color: RATING_COLORS[rating],
        })),
      )}</figure>`
    : '';
  const sourcingChart = stackedBarChart(
    'chart-sourcing',
    'Sourcing per article',
    articles.rows.map((article) => ({
      label: article.title,
      segments: SOURCINGS.map((sourcing) => ({ name: SOURCING_LABELS[sourcing], value: article.bySourcing[sourcing], color: SOURCING_COLORS[sourcing] })),
    })),
    SOURCINGS.map((sourcing) => ({ name: SOURCING_LABELS[sourcing], color: SOURCING_COLORS[sourcing] })),
  );
  const more =
    articles.articles !== null && articles.articles > articles.rows.length
      ? `; the ${articles.rows.length} with most claims of ${articles.articles} articles`
      : '';
  return `<section id="figures"><h2>Figures</h2>
<div class="figures">
${countsTable('Claims by status', [['All claims', claims.total], ...STATUSES.map((status): [string, number] => [STATUS_LABELS[status], claims.byStatus[status]])])}
${countsTable(
  'Claims by sourcing',
  SOURCINGS.map((sourcing): [string, number] => [SOURCING_LABELS[sourcing], claims.bySourcing[sourcing]]),
)}
${countsTable('Verdicts and publication', [
  ['Current verdicts', verdicts.total],
  ['Published claims', claims.published],
  ['Settled claims (timed)', settle.settled],
])}
<table class="counts" id="settle-time"><caption>Time to settle</caption><tbody><tr><th scope="row">Median, creation to first SETTLED</th><td class="n">${escapeHtml(humanDuration(settle.medianSeconds))}</td></tr></tbody></table>
</div>
<table class="counts" id="agreement"><caption>Agreement between reviewers</caption><thead><tr><th>Method</th><th>alpha</th><th>claims</th></tr></thead><tbody>${agreementRows}</tbody></table>
<figure><figcaption>Current verdicts by rating (every reviewer's verdict counts)</figcaption>${ratingChart}</figure>
${publishedChart}
<figure><figcaption>Sourcing per article: sourced / anonymous / unsourced claims${escapeHtml(more)}</figcaption>${sourcingChart}</figure>
<table class="counts" id="reviewers"><caption>Per reviewer</caption><thead><tr><th>Reviewer</th><th>Verdicts</th>${RATINGS.map((rating) => `<th>${escapeHtml(ratingLabel(rating))}</th>`).join('')}</tr></thead><tbody>${reviewerRows || `<tr><td colspan="${RATINGS.length + 2}">No verdicts</td></tr>`}</tbody></table>
</section>`;
}

const COLUMNS = ['#', 'Claim', 'Speaker', 'Status', 'Verdicts', 'Published', 'Evidence'];

function articleHeading(row: ReportRow): string {
  const article = row.article;
  const parts = [article.outlet, formatDate(article.publishedAt)].filter(Boolean).map(escapeHtml);
  const link = article.url ? ` · <a href="${escapeHtml(article.url)}">${escapeHtml(article.url)}</a>` : '';
  return `<tr class="article"><th colspan="${COLUMNS.length}" scope="rowgroup">${cellText(article.title)} <span class="small">${parts.join(' · ')}${link}</span></th></tr>\n`;
}

function rowHtml(row: ReportRow, index: number): string {
  const speaker = speakerName(row);
  const verdicts = row.verdicts.length
    ? `<ul class="plain">${row.verdicts.map((verdict) => `<li>${cellText(verdict.reviewerName)}: <span class="rating">${escapeHtml(ratingLabel(verdict.rating))}</span></li>`).join('')}</ul>`
    : '<span class="small">none</span>';
  const published = row.published
    ? `<span class="rating">${escapeHtml(ratingLabel(row.published.rating))}</span> <span class="small">${formatDate(row.published.at)}</span>${row.published.rationale ? `<div>${escapeHtml(row.published.rationale)}</div>` : ''}` +
      (row.published.textChanged
        ? `<div class="text-changed"><strong>Words changed since publication</strong>; published on: <q>${escapeHtml(row.published.quote)}</q></div>`
        : '')
    : row.consensusRating
      ? `<span class="small">not published; settled as ${escapeHtml(ratingLabel(row.consensusRating))}</span>`
      : '';
  const evidence = row.evidence
    .filter((item) => item.url)
    .map((item) => `<li><a href="${escapeHtml(item.url)}">${escapeHtml(item.url)}</a> <span class="small">${escapeHtml(item.stance.toLowerCase())}</span></li>`)
    .join('');
  return (
    `<tr class="claim"><td>${index + 1}</td><td class="quote">${cellText(row.quote)}</td>` +
    `<td>${speaker ? cellText(speaker) : '<span class="small">none</span>'}<div class="small">${escapeHtml(SOURCING_LABELS[row.sourcing])}</div></td>` +
    `<td>${escapeHtml(STATUS_LABELS[row.status])}</td><td>${verdicts}</td><td>${published}</td>` +
    `<td>${evidence ? `<ul class="plain">${evidence}</ul>` : ''}</td></tr>\n`
  );
}

/**
 * One self-contained HTML file: the filter, the figures and charts (inline SVG), then the rows as
 * they stream, grouped under a heading per article. Its own Content-Security-Policy forbids every
 * fetch, so a saved copy opened anywhere loads nothing from anywhere; all text is escaped.
 */
export function htmlParts(scope: ReportScope, figures: HtmlFigures, generatedAt: Date): DocumentParts<ReportRow> {
  let lastArticle: string | null = null;
  const title = `Verdict report: ${scope.team.name}`;
  return {
    head: () => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="claimgraph">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><p class="meta">Generated ${escapeHtml(generatedAt.toISOString())} · ${figures.claims.total} claims</p></header>
<section id="filter"><h2>Filter</h2><dl class="filter">${describeScope(scope)
      .map((line) => `<dt>${escapeHtml(line.label)}</dt><dd>${escapeHtml(line.value)}</dd>`)
      .join('')}</dl></section>
${figuresSection(figures)}
<section id="rows"><h2>Claims</h2>
<table class="rows"><thead><tr>${COLUMNS.map((column) => `<th scope="col">${column}</th>`).join('')}</tr></thead>
<tbody>
`,
    row: (row, index) => {
      const heading = row.article.id !== lastArticle ? articleHeading(row) : '';
      lastArticle = row.article.id;
      return heading + rowHtml(row, index);
    },
    tail: (rows) => `${rows === 0 ? `<tr><td colspan="${COLUMNS.length}">No claims match this filter.</td></tr>\n` : ''}</tbody></table>
<p class="small" id="end">${rows} claim${rows === 1 ? '' : 's'}.</p>
</section>
</body>
</html>
`,
  };
}
