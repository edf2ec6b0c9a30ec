import { toGlobalId } from '../../../shared/ids';
import type { ReportRow } from '../report-row';
import { iso, type DocumentParts } from './stream-parts';

/** One report row as a JSON object (IDs are the API's global IDs). */
export function jsonRow(row: ReportRow): Record<string, unknown> {
  return {
    claimId: toGlobalId('Claim', row.claimId),
    article: {
      id: toGlobalId('Article', row.article.id),
      title: row.article.title,
      url: row.article.url,
      outlet: row.article.outlet,
      byline: row.article.byline,
      publishedAt: iso(row.article.publishedAt),
      language: row.article.language,
    },
    quote: row.quote,
    kind: row.kind,
    speaker: row.speaker
      ? {
          id: toGlobalId('Source', row.speaker.id),
          name: row.speaker.name,
          descriptor: row.speaker.descriptor,
          kind: row.speaker.kind,
          anonymous: row.speaker.anonymous,
        }
      : null,
    sourcing: row.sourcing,
    status: row.status,
    verdicts: row.verdicts.map((verdict) => ({
      id: toGlobalId('Verdict', verdict.id),
      reviewer: { id: toGlobalId('User', verdict.reviewerId), name: verdict.reviewerName },
      rating: verdict.rating,
      rationale: verdict.rationale,
      confidence: verdict.confidence,
      updatedAt: verdict.updatedAt,
    })),
    consensusRating: row.consensusRating,
    published: row.published
      ? {
          rating: row.published.rating,
          rationale: row.published.rationale,
          at: iso(row.published.at),
          quote: row.published.quote,
          textChanged: row.published.textChanged,
        }
      : null,
    evidence: row.evidence.map((evidence) => ({
      id: toGlobalId('Evidence', evidence.id),
      url: evidence.url,
      stance: evidence.stance,
      quotedPassage: evidence.quotedPassage,
      sourceName: evidence.sourceName,
      published: evidence.published,
    })),
    importedAt: iso(row.importedAt),
  };
}

/**
 * JSON Lines: one object per line. JSON.stringify escapes line breaks inside strings, and U+2028 /
 * U+2029 are escaped too so a line is a line for every reader, including JavaScript-era ones.
 */
export function jsonLinesParts(): DocumentParts<ReportRow> {
  return {
    head: () => '',
    row: (row) =>
      `${JSON.stringify(jsonRow(row))
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029')}\n`,
    tail: () => '',
  };
}
