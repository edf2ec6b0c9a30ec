import type { DataSource } from 'typeorm';
import type pg from 'pg';
import { roleTransaction } from '../../db/role-transaction';
import type { ClaimKind, Sourcing } from '../claim/claim.enums';
import type { SourceKind } from '../source/source.entity';
import type { Rating } from '../verdict/rating';
import { type ReportEvidence, reportArticle, reportSpeaker } from '../report/report-row';
import type { ClaimReviewRow } from '../report/formats/claim-review';
import type { PublishingTeam } from '../report/report.filter';

/** The role unauthenticated reads run as (created by the PublicFactChecks migration). */
export const PUBLIC_ROLE = 'claimgraph_public';

/** A published claim as the public sees it: no verdicts, reviewers, notes or status. */
export interface PublicFactCheck extends ClaimReviewRow {
  teamId: string;
  team: PublishingTeam & { slug: string };
  kind: ClaimKind;
  sourcing: Sourcing;
  context: { prefix: string; suffix: string };
  speaker: (NonNullable<ClaimReviewRow['speaker']> & { title: string | null; affiliation: string | null }) | null;
  published: { rating: Rating; rationale: string | null; at: Date };
  /** Postgres's text of published_at (microseconds), the feed's keyset. */
  publishedAtKey: string;
}

interface RawFactCheck {
  id: string;
  team_id: string;
  team_slug: string;
  team_name: string;
  organization_name: string | null;
  organization_url: string | null;
  organization_logo_url: string | null;
  public_base_url: string | null;
  quote_exact: string;
  quote_prefix: string;
  quote_suffix: string;
  kind: ClaimKind;
  sourcing: Sourcing;
  published_rating: Rating;
  published_rationale: string | null;
  published_at: Date;
  published_key: string;
  article_id: string;
  article_title: string;
  article_url: string | null;
  article_outlet: string | null;
  article_byline: string | null;
  article_published_at: Date | null;
  article_language: string;
  speaker_id: string | null;
  speaker_name: string | null;
  speaker_descriptor: string | null;
  speaker_kind: SourceKind | null;
  speaker_anonymous: boolean | null;
  speaker_url: string | null;
  speaker_title: string | null;
  speaker_affiliation: string | null;
  evidence: ReportEvidence[];
}

/**
 * Published claims with what their public page shows. The conditions repeat what the role's
 * policies enforce (published, not deleted): they are what the feed index serves, and a second
 * statement of the rule where a reader of this query sees it.
 */
const FACT_CHECK_SELECT = `
  SELECT c.id, c.team_id, t.slug AS team_slug, t.name AS team_name, t.organization_name, t.organization_url,
         t.organization_logo_url, t.public_base_url,
         c.quote_exact, c.quote_prefix, c.quote_suffix, c.kind, c.sourcing,
         c.published_rating, c.published_rationale, c.published_at,
         to_char(c.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS published_key,
         a.id AS article_id, a.title AS article_title, a.url AS article_url, a.outlet AS article_outlet,
         a.byline AS article_byline, a.published_at AS article_published_at, a.language AS article_language,
         s.id AS speaker_id, s.name AS speaker_name, s.descriptor AS speaker_descriptor, s.kind AS speaker_kind,
         s.anonymous AS speaker_anonymous, s.url AS speaker_url, s.title AS speaker_title, s.affiliation AS speaker_affiliation,
         ev.evidence
  FROM claims c
  JOIN teams t ON t.id = c.team_id
  JOIN articles a ON a.id = c.article_id AND a.deleted_at IS NULL
  LEFT JOIN sources s ON s.id = c.speaker_id
  CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(json_build_object(
             'id', e.id, 'url', e.url, 'stance', e.stance, 'quotedPassage', e.quoted_passage,
             'sourceName', coalesce(es.name, es.descriptor), 'published', true
           ) ORDER BY e.created_at, e.id), '[]'::json) AS evidence
    FROM evidence e LEFT JOIN sources es ON es.id = e.source_id
    WHERE e.claim_id = c.id AND e.id = ANY (c.published_evidence_ids)
  ) ev
  WHERE c.published_at IS NOT NULL AND c.deleted_at IS NULL`;

function toFactCheck(raw: RawFactCheck): PublicFactCheck {
  return {
    claimId: raw.id,
    teamId: raw.team_id,
    team: {
      slug: raw.team_slug,
      name: raw.team_name,
      organizationName: raw.organization_name,
      organizationUrl: raw.organization_url,
      organizationLogoUrl: raw.organization_logo_url,
      publicBaseUrl: raw.public_base_url,
    },
    quote: raw.quote_exact,
    context: { prefix: raw.quote_prefix, suffix: raw.quote_suffix },
    kind: raw.kind,
    sourcing: raw.sourcing,
    article: reportArticle(raw),
    speaker: raw.speaker_id ? { ...reportSpeaker(raw)!, title: raw.speaker_title, affiliation: raw.speaker_affiliation } : null,
    published: { rating: raw.published_rating, rationale: raw.published_rationale, at: raw.published_at },
    publishedAtKey: raw.published_key,
    consensusRating: null,
    settledAt: null,
    evidence: raw.evidence,
  };
}

export interface FeedPage {
  team: (PublishingTeam & { id: string; slug: string }) | null;
  items: PublicFactCheck[];
  /** The keyset of the next (older) page, when there is one. */
  next: [string, string] | null;
}

/**
 * Reads for the public: one short read-only transaction as `claimgraph_public`, whose grants and
 * row-level security admit published claims and nothing else (see the PublicFactChecks migration).
 * The connection's own role (which may own the tables, or be a superuser) never reads for the public.
 */
export class PublicReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly statementTimeoutMs: number,
  ) {}

  /** A published claim by its raw id; null when it is missing, unpublished or deleted (the same answer). */
  async factCheck(claimId: string): Promise<PublicFactCheck | null> {
    const rows = await this.read<RawFactCheck>(`${FACT_CHECK_SELECT} AND c.id = $1`, [claimId]);
    return rows[0] ? toFactCheck(rows[0]) : null;
  }

  /** A team's published claims, newest first, `limit` at a time, before the keyset `before`. */
  async feed(slug: string, limit: number, before: [string, string] | null): Promise<FeedPage> {
    return this.transaction(async (client) => {
      const teams = await client.query<{
        id: string;
        slug: string;
        name: string;
        organization_name: string | null;
        organization_url: string | null;
        organization_logo_url: string | null;
        public_base_url: string | null;
      }>('SELECT id, slug, name, organization_name, organization_url, organization_logo_url, public_base_url FROM teams WHERE slug = $1', [slug]);
      const team = teams.rows[0];
      if (!team) return { team: null, items: [], next: null };
      const params: unknown[] = [team.id, limit + 1];
      let keyset = '';
      if (before) {
        params.push(before[0], before[1]);
        keyset = ' AND (c.published_at, c.id) < ($3::timestamptz, $4::uuid)';
      }
      const rows = (
        await client.query<RawFactCheck>(`${FACT_CHECK_SELECT} AND c.team_id = $1${keyset} ORDER BY c.published_at DESC, c.id DESC LIMIT $2`, params)
      ).rows;
      const items = rows.slice(0, limit).map(toFactCheck);
      const last = items[items.length - 1];
      return {
        team: {
          id: team.id,
          slug: team.slug,
          name: team.name,
          organizationName: team.organization_name,
          organizationUrl: team.organization_url,
          organizationLogoUrl: team.organization_logo_url,
          publicBaseUrl: team.public_base_url,
        },
        items,
        next: rows.length > limit && last ? [last.publishedAtKey, last.claimId] : null,
      };
    });
  }

  private async read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return this.transaction(async (client) => (await client.query<R>(sql, params)).rows);
  }

  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return roleTransaction(this.dataSource, PUBLIC_ROLE, { readOnly: true, statementTimeoutMs: this.statementTimeoutMs }, work);
  }
}
