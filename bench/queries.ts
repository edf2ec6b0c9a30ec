/** What the benchmark asks, in one place: the GraphQL documents and the limit's hand-written SQL. */

/** (a) The reviewer's article page: one article, its claims, each claim's speaker, evidence and verdicts with reviewers. */
export const ARTICLE_PAGE = `query ReviewerArticlePage($id: ID!) {
  article(id: $id) {
    id title url outlet byline publishedAt language
    claims(first: 100) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          id quote kind sourcing status version
          anchor { position { start end } }
          speaker { id displayName anonymous }
          evidence(first: 10) { nodes { id url stance quotedPassage source { id displayName } } }
          verdicts(first: 10) { nodes { id rating rationale confidence version createdAt reviewer { id name } } }
        }
      }
    }
  }
}`;

/** (b) The claim queue: a team's disputed claims without a named source, newest first, 50 a page. */
export const CLAIM_QUEUE = `query ClaimQueue($teamId: ID!, $after: String) {
  claims(filter: { teamId: $teamId, status: [DISPUTED], sourcing: [ANONYMOUS, UNSOURCED] }, sort: CREATED, first: 50, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id quote kind sourcing status version createdAt speaker { id displayName } article { id title } } }
  }
}`;

/** (d) A reviewer revises their verdict, passing the version they read. */
export const SUBMIT_VERDICT = `mutation SubmitVerdict($input: SubmitVerdictInput!) {
  submitVerdict(input: $input) { verdict { id rating version } claim { id status version } }
}`;

export const QUEUE_STATUS = ['DISPUTED'];
export const QUEUE_SOURCING = ['ANONYMOUS', 'UNSOURCED'];

// Relay global id / cursor as the server encodes them: base64url without padding.
const base64url = (text: string) => `translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
const globalId = (type: string, id: string) => base64url(`'${type}:' || ${id}`);
const isoTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The limit for (a): the same page as one statement, built by Postgres as the response body
 * (json_build_object / json_agg, cast to text so Node forwards it untouched). It answers exactly
 * what the GraphQL page answers (the benchmark checks that the two bodies are equal), with no
 * authentication, no authorisation and no per-request transaction: the bare minimum.
 */
export const LIMIT_ARTICLE_PAGE_SQL = `
SELECT json_build_object('data', json_build_object('article', (
  SELECT json_build_object(
    'id', ${globalId('Article', 'a.id')}, 'title', a.title, 'url', a.url, 'outlet', a.outlet, 'byline', a.byline,
    'publishedAt', ${isoTime('a.published_at')}, 'language', a.language,
    'claims', json_build_object(
      'totalCount', coalesce(page.total, 0),
      'pageInfo', json_build_object('hasNextPage', coalesce(page.total, 0) > 100, 'endCursor', page.end_cursor),
      'edges', page.edges))
  FROM articles a
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'cursor', c.cursor,
             'node', json_build_object(
               'id', ${globalId('Claim', 'c.id')}, 'quote', c.quote_exact, 'kind', c.kind, 'sourcing', c.sourcing,
               'status', c.status, 'version', c.version,
               'anchor', json_build_object('position', json_build_object('start', c.position_start, 'end', c.position_end)),
               'speaker', (SELECT json_build_object('id', ${globalId('Source', 's.id')}, 'displayName', coalesce(s.name, s.descriptor, ''),
                                                    'anonymous', s.anonymous)
                             FROM sources s WHERE s.id = c.speaker_id),
               'evidence', json_build_object('nodes', (
                 SELECT coalesce(json_agg(json_build_object(
                          'id', ${globalId('Evidence', 'e.id')}, 'url', e.url, 'stance', e.stance, 'quotedPassage', e.quoted_passage,
                          'source', (SELECT json_build_object('id', ${globalId('Source', 's.id')}, 'displayName', coalesce(s.name, s.descriptor, ''))
                                       FROM sources s WHERE s.id = e.source_id))
                        ORDER BY e.created_at, e.id), '[]')
                   FROM (SELECT * FROM evidence WHERE claim_id = c.id AND removed_at IS NULL ORDER BY created_at, id LIMIT 10) e)),
               'verdicts', json_build_object('nodes', (
                 SELECT coalesce(json_agg(json_build_object(
                          'id', ${globalId('Verdict', 'v.id')}, 'rating', v.rating, 'rationale', v.rationale, 'confidence', v.confidence,
                          'version', v.version, 'createdAt', ${isoTime('v.created_at')},
                          'reviewer', json_build_object('id', ${globalId('User', 'u.id')}, 'name', u.name))
                        ORDER BY v.created_at, v.id), '[]')
                   FROM (SELECT * FROM verdicts WHERE claim_id = c.id AND withdrawn_at IS NULL ORDER BY created_at, id LIMIT 10) v
                   JOIN users u ON u.id = v.reviewer_id))))
           ORDER BY c.position_start, c.id), '[]') AS edges,
           (array_agg(c.cursor ORDER BY c.position_start DESC, c.id DESC))[1] AS end_cursor,
           max(c.total) AS total
      FROM (SELECT claims.*, ${base64url(`'["' || position_start || '","' || id || '"]'`)} AS cursor, count(*) OVER () AS total
              FROM claims WHERE article_id = a.id AND deleted_at IS NULL
             ORDER BY position_start, id LIMIT 100) c
  ) page
  WHERE a.id = $1 AND a.deleted_at IS NULL
)))::text AS body`;

/**
 * (a) asked of PostGraphile 5 (bench/postgraphile/server.ts): the same page over the schema it
 * builds from the tables, with the filters the resolvers apply as conditions (null is IS NULL) and
 * their orders. `postGraphileAsClaimgraph` maps its answer onto claimgraph's names and encodings
 * (global ids, cursors, display names, ISO times, normalised URLs), so the two answers are
 * compared whole before timing; the mapping runs only for that check.
 */
export const POSTGRAPHILE_ARTICLE_PAGE = `query ReviewerArticlePage($id: UUID!) {
  articleByRowId(rowId: $id) {
    rowId title url outlet byline publishedAt language deletedAt
    claims: claimsByArticleId(first: 100, condition: { deletedAt: null }, orderBy: [POSITION_START_ASC, ROW_ID_ASC]) {
      totalCount
      pageInfo { hasNextPage }
      nodes {
        rowId quoteExact kind sourcing status version positionStart positionEnd
        speaker: sourceBySpeakerId { rowId name descriptor anonymous }
        evidence: evidencesByClaimId(first: 10, condition: { removedAt: null }, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
          nodes { rowId url stance quotedPassage source: sourceBySourceId { rowId name descriptor } }
        }
        verdicts: verdictsByClaimId(first: 10, condition: { withdrawnAt: null }, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
          nodes { rowId rating rationale confidence version createdAt reviewer: userByReviewerId { rowId name } }
        }
      }
    }
  }
}`;

// PostGraphile's answer, read only to compare it
type Answer = any;

export function postGraphileAsClaimgraph(answer: Answer): unknown {
  const id = (type: string, rowId: string) => Buffer.from(`${type}:${rowId}`, 'utf8').toString('base64url');
  const time = (value: string | null) => (value === null ? null : new Date(value).toISOString());
  const url = (value: string | null) => (value === null ? null : new URL(value).toString());
  const article = answer.data.articleByRowId;
  if (!article) return { data: { article: null } };
  const claims = article.claims.nodes;
  const cursor = (claim: Answer) => Buffer.from(JSON.stringify([String(claim.positionStart), claim.rowId]), 'utf8').toString('base64url');
  return {
    data: {
      article: {
        id: id('Article', article.rowId),
        title: article.title,
        url: url(article.url),
        outlet: article.outlet,
        byline: article.byline,
        publishedAt: time(article.publishedAt),
        language: article.language,
        claims: {
          totalCount: article.claims.totalCount,
          pageInfo: { hasNextPage: article.claims.pageInfo.hasNextPage, endCursor: claims.length ? cursor(claims[claims.length - 1]) : null },
          edges: claims.map((claim: Answer) => ({
            cursor: cursor(claim),
            node: {
              id: id('Claim', claim.rowId),
              quote: claim.quoteExact,
              kind: claim.kind,
              sourcing: claim.sourcing,
              status: claim.status,
              version: claim.version,
              anchor: { position: { start: claim.positionStart, end: claim.positionEnd } },
              speaker: claim.speaker && {
                id: id('Source', claim.speaker.rowId),
                displayName: claim.speaker.name ?? claim.speaker.descriptor ?? '',
                anonymous: claim.speaker.anonymous,
              },
              evidence: {
                nodes: claim.evidence.nodes.map((evidence: Answer) => ({
                  id: id('Evidence', evidence.rowId),
                  url: url(evidence.url),
                  stance: evidence.stance,
                  quotedPassage: evidence.quotedPassage,
                  source: evidence.source && { id: id('Source', evidence.source.rowId), displayName: evidence.source.name ?? evidence.source.descriptor ?? '' },
                })),
              },
              verdicts: {
                nodes: claim.verdicts.nodes.map((verdict: Answer) => ({
                  id: id('Verdict', verdict.rowId),
                  rating: verdict.rating,
                  rationale: verdict.rationale,
                  confidence: verdict.confidence,
                  version: verdict.version,
                  createdAt: time(verdict.createdAt),
                  reviewer: { id: id('User', verdict.reviewer.rowId), name: verdict.reviewer.name },
                })),
              },
            },
          })),
        },
      },
    },
  };
}
