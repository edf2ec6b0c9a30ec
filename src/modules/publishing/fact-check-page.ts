import { escapeHtml } from '../report/formats/chart';
import { claimReview, reviewOrganization } from '../report/formats/claim-review';
import { ratingLabel, type Rating } from '../verdict/rating';
import { SourceKind } from '../source/source.entity';
import type { PublicFactCheck } from './public-reader';

const RATING_COLORS: Record<Rating, string> = {
  TRUE: '#1a7f37',
  MOSTLY_TRUE: '#4d9221',
  MIXED: '#9a6700',
  MOSTLY_FALSE: '#c4432b',
  FALSE: '#b42318',
  MISLEADING: '#7b3fa0',
  UNVERIFIABLE: '#57606a',
};
const STANCE_LABELS: Record<string, string> = { SUPPORTS: 'Supports the claim', REFUTES: 'Refutes the claim', CONTEXT: 'Context' };
const SOURCING_LABELS: Record<string, string> = { SOURCED: 'Named source', ANONYMOUS: 'Anonymous source', UNSOURCED: 'No source given' };

const STYLE = `
:root { color-scheme: light; }
body { font: 17px/1.6 Georgia, "Times New Roman", serif; color: #1f2328; margin: 0; background: #fff; }
header, main, footer { max-width: 44rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 1px solid #d0d7de; font: 15px/1.4 system-ui, sans-serif; }
header a { color: inherit; font-weight: 600; text-decoration: none; }
h1 { font-size: 1.15rem; font-family: system-ui, sans-serif; text-transform: uppercase; letter-spacing: .04em; color: #57606a; margin: 1.5rem 0 .5rem; }
blockquote { margin: 0; padding: .75rem 1rem; border-left: 4px solid #d0d7de; background: #f6f8fa; font-size: 1.2rem; }
blockquote .context { color: #57606a; } blockquote mark { background: #fff3b0; padding: 0 .1em; }
.who { font: 15px/1.5 system-ui, sans-serif; color: #57606a; margin: .5rem 0 0; }
.verdict { display: flex; gap: 1rem; align-items: baseline; margin: 1.5rem 0 .5rem; font-family: system-ui, sans-serif; }
.rating { display: inline-block; color: #fff; font-weight: 700; padding: .2rem .7rem; border-radius: .3rem; }
h2 { font: 600 1.05rem/1.3 system-ui, sans-serif; margin: 2rem 0 .5rem; }
ul.evidence { padding-left: 1.1rem; } ul.evidence li { margin: .5rem 0; }
.stance { font: 600 .85rem system-ui, sans-serif; color: #57606a; }
a { color: #0550ae; overflow-wrap: anywhere; }
footer { color: #57606a; font: 14px/1.5 system-ui, sans-serif; border-top: 1px solid #d0d7de; }
@media print { a { color: inherit; } .rating { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }`;

const formatDate = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * JSON inside <script>: `<` escaped so no string in it (a quote containing "</script>") can end
 * the element; the JSON value is unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

function speakerLine(factCheck: PublicFactCheck): string {
  const speaker = factCheck.speaker;
  if (!speaker) {
    const by = factCheck.article.byline ?? factCheck.article.outlet;
    return by
      ? `Stated in the article by ${escapeHtml(by)} (${escapeHtml(SOURCING_LABELS[factCheck.sourcing])})`
      : escapeHtml(SOURCING_LABELS[factCheck.sourcing]);
  }
  const name = speaker.name ?? speaker.descriptor ?? 'Unnamed';
  const about = [speaker.title, speaker.affiliation].filter(Boolean).map(escapeHtml).join(', ');
  const label = speaker.url && !speaker.anonymous ? `<a href="${escapeHtml(speaker.url)}" rel="nofollow">${escapeHtml(name)}</a>` : escapeHtml(name);
  const kind = speaker.anonymous ? 'anonymous source' : speaker.kind === SourceKind.PERSON ? 'person' : speaker.kind.toLowerCase();
  return `Said by ${label}${about ? `, ${about}` : ''} (${escapeHtml(kind)})`;
}

function articleLine(factCheck: PublicFactCheck): string {
  const article = factCheck.article;
  const title = article.url
    ? `<a href="${escapeHtml(article.url)}" rel="nofollow"><cite>${escapeHtml(article.title)}</cite></a>`
    : `<cite>${escapeHtml(article.title)}</cite>`;
  const parts = [article.outlet, article.byline ? `by ${article.byline}` : null, article.publishedAt ? formatDate(article.publishedAt) : null]
    .filter(Boolean)
    .map(escapeHtml);
  return `In ${title}${parts.length ? `, ${parts.join(', ')}` : ''}`;
}

function evidenceList(factCheck: PublicFactCheck): string {
  if (!factCheck.evidence.length) return '';
  const items = factCheck.evidence.map((evidence) => {
    const link = evidence.url
      ? `<a href="${escapeHtml(evidence.url)}" rel="nofollow">${escapeHtml(evidence.sourceName ?? evidence.url)}</a>`
      : escapeHtml(evidence.sourceName ?? '');
    const passage = evidence.quotedPassage ? `<blockquote>${escapeHtml(evidence.quotedPassage)}</blockquote>` : '';
    return `<li><span class="stance">${escapeHtml(STANCE_LABELS[evidence.stance] ?? evidence.stance)}</span><br>${link}${passage}</li>`;
  });
  return `<section id="evidence"><h2>Evidence</h2><ul class="evidence">\n${items.join('\n')}\n</ul></section>`;
}

/**
 * The public page of one published claim: readable on its own (inline styles, no script to run,
 * nothing fetched), with the same ClaimReview a feed or export gives embedded as JSON-LD for
 * crawlers. `reviewUrl` is the page's canonical URL (`{id}` for the Claim ID).
 */
export function factCheckPage(factCheck: PublicFactCheck, reviewUrl: string): string {
  const review = claimReview(factCheck, factCheck.team, { reviewUrl, includeSettled: false })!;
  const organization = reviewOrganization(factCheck.team, reviewUrl) as { name: string; url: string };
  const rating = factCheck.published.rating;
  const canonical = String(review.url);
  const title = `Fact-check: “${factCheck.quote}” — ${ratingLabel(rating)}`;
  const description = factCheck.published.rationale ?? `${organization.name} rated this claim ${ratingLabel(rating)}.`;
  return `<!doctype html>
<html lang="${escapeHtml(factCheck.article.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<meta name="description" content="${escapeHtml(description.slice(0, 300))}">
<link rel="canonical" href="${escapeHtml(canonical)}">
<meta property="og:type" content="article">
<meta property="og:title" content="${escapeHtml(title)}">
<meta property="og:url" content="${escapeHtml(canonical)}">
<style>${STYLE}</style>
<script type="application/ld+json">${scriptJson({ '@context': 'https://schema.org', ...review })}</script>
</head>
<body>
<header><a href="${escapeHtml(organization.url)}">${escapeHtml(organization.name)}</a> · Fact-check</header>
<main>
<article>
<h1>The claim</h1>
<blockquote id="claim"><span class="context">${factCheck.context.prefix ? `…${escapeHtml(factCheck.context.prefix)}` : ''}</span><mark>${escapeHtml(factCheck.quote)}</mark><span class="context">${factCheck.context.suffix ? `${escapeHtml(factCheck.context.suffix)}…` : ''}</span></blockquote>
<p class="who" id="speaker">${speakerLine(factCheck)}</p>
<p class="who" id="article">${articleLine(factCheck)}</p>
<div class="verdict" id="verdict"><span>Our rating:</span> <span class="rating" style="background:${RATING_COLORS[rating]}">${escapeHtml(ratingLabel(rating))}</span></div>
${factCheck.published.rationale ? `<section id="rationale"><h2>Why</h2>\n${paragraphs(factCheck.published.rationale)}</section>` : ''}
${evidenceList(factCheck)}
</article>
</main>
<footer>Published ${escapeHtml(formatDate(factCheck.published.at))} by ${escapeHtml(organization.name)}.</footer>
</body>
</html>
`;
}
