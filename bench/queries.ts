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
