import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { authorize } from '../team/permissions';
import { badInput } from '../../shared/errors';
import { checkText, MAX_ARTICLE_CODE_POINTS, normalizeBody } from '../../shared/text';
import type { ExtractedSpeaker } from '../extraction';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { versionedUpdate } from '../../shared/versioned-update';
import { anchorColumns, insertClaims, type NewClaim } from '../claim/claim.service';
import { Claim } from '../claim/claim.entity';
import { Sourcing } from '../claim/claim.enums';
import { Source, SourceKind } from '../source/source.entity';
import { normalizeName } from '../source/source.service';
import type { Article } from '../article/article.entity';
import type { ArticleRevision } from '../article/article-revision.entity';
import { looksLikeHtml } from './html-to-text';
import { ImportFormat, type ImportArticleInput } from './import.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

/** Trigram similarity at which an imported candidate counts as repeating a reviewed claim. */
export const REPEAT_SIMILARITY = 0.6;
/** Trigram similarity at which two names of the same kind are taken for one source. */
export const SOURCE_NAME_SIMILARITY = 0.6;

export interface ImportResult {
  article: Article;
  revision: ArticleRevision;
  claims: Claim[];
  newSources: Source[];
  /** Every speaker of the claims, new or matched. */
  speakers: Source[];
  repeats: number;
}

/**
 * Import: the article, its revision 1 and the candidate claims extracted from it, in one
 * transaction — either the desk gets all of it or nothing. Speakers become the team's sources,
 * matched to existing ones by normalised name, surname or trigram similarity.
 */
export class ImportService {
  constructor(private readonly context: Context) {}

  async import(input: ImportArticleInput): Promise<ImportResult> {
    const actor = requireActor(this.context);
    // the permission first: converting and extracting cost CPU that a non-writer must not spend
    authorize(actor, fromGlobalId(input.teamId, 'Team', 'teamId'), 'article.write', 'Team');
    checkText(input.content, 'content', { max: MAX_ARTICLE_CODE_POINTS * 4 });
    const html = input.format === ImportFormat.HTML || ((input.format ?? ImportFormat.AUTO) === ImportFormat.AUTO && looksLikeHtml(input.content));
    const converted = html ? await this.context.cpu.htmlToText(input.content) : { text: normalizeBody(input.content), title: null };
    if (!converted.text.trim()) throw badInput('The content has no article text', 'content');
    const title = input.title ?? converted.title;
    if (!title) throw badInput('Give a title (the content has none)', 'title');
    const articles = this.context.services.articles;
    const prepared = articles.prepare({ ...input, title, text: converted.text }, 'content');
    const candidates = await this.context.cpu.extractCandidates(prepared.body);
    return this.context.db.transaction(async (manager) => {
      const { article, revision } = await articles.insert(manager, prepared, 'IMPORT');
      const speakers = new SpeakerResolver(manager, article.teamId, prepared.values.createdBy);
      const repeatOf = await this.reviewedRepeats(
        manager,
        article.teamId,
        candidates.map(({ anchor }) => anchor.quote.exact),
      );
      const rows: NewClaim[] = [];
      for (const [index, { statement, anchor }] of candidates.entries()) {
        const speaker = statement.speaker ? await speakers.resolve(statement.speaker) : null;
        const values: NewClaim = {
          teamId: article.teamId,
          articleId: article.id,
          revisionId: revision.id,
          ...anchorColumns(anchor),
          kind: statement.kind as Claim['kind'],
          // an anonymous speaker makes the claim ANONYMOUS whatever the rules guessed, and vice versa
          sourcing: speaker
            ? speaker.anonymous
              ? Sourcing.ANONYMOUS
              : Sourcing.SOURCED
            : statement.sourcing === 'SOURCED'
              ? Sourcing.SOURCED
              : (statement.sourcing as Sourcing),
          speakerId: speaker?.id ?? null,
          via: statement.via?.slice(0, TEXT_LIMITS.via.max) ?? null,
          extractionConfidence: round(statement.confidence),
          checkworthiness: round(statement.checkworthiness),
          repeatOfId: repeatOf[index],
          createdBy: prepared.values.createdBy,
        };
        if (values.sourcing === Sourcing.UNSOURCED) values.speakerId = null;
        rows.push(values);
      }
      const claims = await insertClaims(manager, rows, { actorId: prepared.values.createdBy, reason: 'extracted at import' });
      const repeats = repeatOf.filter(Boolean).length;
      this.context.loaders.clear();
      return { article, revision, claims, newSources: speakers.created, speakers: speakers.all(), repeats };
    });
  }

  /**
   * For each quote, the most similar claim of the team that reviewers have settled or published, or
   * another organisation reviewed, if any (the claims this import creates are unreviewed, so they are
   * never each other's repeats): similarity at least REPEAT_SIMILARITY, the highest, then the least id.
   * Which way is cheapest depends on how many quotes meet how many reviewed claims (bench/README.md,
   * import scenario): a few pairs are compared outright; up to some thousands of reviewed claims, the
   * quotes get a trigram index of their own for this transaction and each reviewed claim looks its
   * matches up there; past that, each quote looks its match up through the claims' trigram index,
   * which spans every team's claims and so costs milliseconds a quote.
   */
  private async reviewedRepeats(manager: EntityManager, teamId: string, quotes: string[]): Promise<(string | null)[]> {
    if (quotes.length === 0) return [];
    await manager.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(REPEAT_SIMILARITY)]);
    const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM claims c WHERE ${REVIEWED}`, [teamId])) as { count: number }[];
    if (count === 0) return quotes.map(() => null);
    if (count * quotes.length <= REPEAT_LOOKUP.compareAllPairs) {
      const rows = (await manager.query(
        `WITH r AS MATERIALIZED (SELECT c.id, c.quote_exact FROM claims c WHERE ${REVIEWED})
         SELECT q.ord, (SELECT r.id FROM r WHERE r.quote_exact % q.quote ORDER BY similarity(r.quote_exact, q.quote) DESC, r.id LIMIT 1) AS id
           FROM unnest($2::text[]) WITH ORDINALITY AS q(quote, ord) ORDER BY q.ord`,
        [teamId, quotes],
      )) as { id: string | null }[];
      return rows.map((row) => row.id);
    }
    if (count <= REPEAT_LOOKUP.quoteIndexMaxReviewed) return this.repeatsThroughQuoteIndex(manager, teamId, quotes);
    const found: (string | null)[] = [];
    for (let start = 0; start < quotes.length; start += 100) {
      const rows = (await manager.query(
        `SELECT q.ord, (SELECT c.id FROM claims c WHERE ${REVIEWED} AND c.quote_exact % q.quote
                          ORDER BY similarity(c.quote_exact, q.quote) DESC, c.id LIMIT 1) AS id
           FROM unnest($2::text[]) WITH ORDINALITY AS q(quote, ord) ORDER BY q.ord`,
        [teamId, quotes.slice(start, start + 100)],
      )) as { id: string | null }[];
      found.push(...rows.map((row) => row.id));
    }
    return found;
  }

  /**
   * The quotes in a temporary table with a trigram index, and each reviewed claim's matches looked
   * up there, a slice of the reviewed claims a statement (so that no statement runs into the
   * statement time limit); the best match of each quote is kept across slices. The table lives in
   * the import's savepoint: dropped here, or with the savepoint when the import fails.
   */
  private async repeatsThroughQuoteIndex(manager: EntityManager, teamId: string, quotes: string[]): Promise<(string | null)[]> {
    await manager.query(`CREATE TEMPORARY TABLE import_quotes (ord int PRIMARY KEY, quote text NOT NULL) ON COMMIT DROP`);
    await manager.query(`INSERT INTO import_quotes (ord, quote) SELECT ord, quote FROM unnest($1::text[]) WITH ORDINALITY AS q(quote, ord)`, [quotes]);
    await manager.query(`CREATE INDEX ON import_quotes USING gin (quote gin_trgm_ops)`);
    await manager.query(`ANALYZE import_quotes`);
    const ids = ((await manager.query(`SELECT c.id FROM claims c WHERE ${REVIEWED} ORDER BY c.id`, [teamId])) as { id: string }[]).map((row) => row.id);
    const best: ({ id: string; similarity: number } | null)[] = quotes.map(() => null);
    const slice = Math.max(1, Math.floor(REPEAT_LOOKUP.quoteIndexSlicePairs / quotes.length));
    for (let start = 0; start < ids.length; start += slice) {
      const rows = (await manager.query(
        `SELECT DISTINCT ON (q.ord) q.ord, c.id, similarity(c.quote_exact, q.quote)::float8 AS similarity
           FROM claims c JOIN import_quotes q ON q.quote % c.quote_exact
          WHERE c.id = ANY($2::uuid[]) AND ${REVIEWED}
          ORDER BY q.ord, similarity(c.quote_exact, q.quote) DESC, c.id`,
        [teamId, ids.slice(start, start + slice)],
      )) as { ord: string; id: string; similarity: number }[];
      for (const row of rows) {
        const index = Number(row.ord) - 1;
        const current = best[index];
        // uuids order as their lower-case text does, the way Postgres orders them
        if (!current || row.similarity > current.similarity || (row.similarity === current.similarity && row.id < current.id)) best[index] = row;
      }
    }
    await manager.query(`DROP TABLE import_quotes`);
    return best.map((match) => match?.id ?? null);
  }
}

/** A claim that counts as reviewed for repeats (c, with the team as $1). */
const REVIEWED = `c.team_id = $1 AND c.deleted_at IS NULL AND (c.status = 'SETTLED' OR c.published_at IS NOT NULL OR c.external_review IS NOT NULL)`;
/**
 * Where the repeat lookup changes its way (measured in bench/README.md, import scenario). An object,
 * not constants, so that a test can send small imports down each way and compare the answers.
 */
export const REPEAT_LOOKUP = {
  /** Quote × reviewed-claim pairs up to which the import compares them all in one statement. */
  compareAllPairs: 20_000,
  /** Reviewed claims up to which repeats are looked up through an index of the quotes; past it, through the claims' index. */
  quoteIndexMaxReviewed: 10_000,
  /** Quote × reviewed-claim pairs one statement of the quote-index lookup covers. */
  quoteIndexSlicePairs: 1_000_000,
};

function round(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1000) / 1000;
}

/** Finds or creates the team's source for each speaker, once per import. */
class SpeakerResolver {
  readonly created: Source[] = [];
  private readonly cache = new Map<string, Source>();

  constructor(
    private readonly manager: EntityManager,
    private readonly teamId: string,
    private readonly actorId: string,
  ) {}

  all(): Source[] {
    return [...new Map([...this.cache.values()].map((source) => [source.id, source])).values()];
  }

  async resolve(speaker: ExtractedSpeaker): Promise<Source | null> {
    const key = speaker.anonymous ? `anon:${normalizeName(speaker.descriptor ?? '')}` : `named:${normalizeName(speaker.name ?? '')}`;
    if (key.endsWith(':')) return null;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const source = (await this.find(speaker)) ?? (await this.create(speaker));
    this.cache.set(key, source);
    return source;
  }

  private async find(speaker: ExtractedSpeaker): Promise<Source | null> {
    if (speaker.anonymous) {
      // Unnamed people are only the same source when described the same way.
      return this.manager
        .createQueryBuilder(Source, 'source')
        .where('source.team_id = :teamId AND source.anonymous AND lower(source.descriptor) = lower(:descriptor)', {
          teamId: this.teamId,
          descriptor: speaker.descriptor,
        })
        .orderBy('source.created_at', 'ASC')
        .getOne();
    }
    const normalized = normalizeName(speaker.name!);
    // Exact normalised name; or, for a person, a bare surname against a full name ending in it,
    // either way round ("Khinstin" = "Alexander Khinstin"); or a close trigram match.
    const rows = (await this.manager.query(
      `SELECT s.id, similarity(s.normalized_name, $2) AS score FROM sources s
        WHERE s.team_id = $1 AND NOT s.anonymous
          -- OTHER is extraction's "could not tell": it matches any kind
          AND (s.kind = $3 OR $3 = 'OTHER' OR s.kind = 'OTHER') AND (
          s.normalized_name = $2
          OR (s.kind = 'PERSON' AND position(' ' IN $2) = 0 AND s.normalized_name LIKE '% ' || $2)
          OR ($3 = 'PERSON' AND position(' ' IN s.normalized_name) = 0 AND $2 LIKE '% ' || s.normalized_name)
          OR similarity(s.normalized_name, $2) >= $4)
        ORDER BY (s.normalized_name = $2) DESC, score DESC, s.created_at LIMIT 1`,
      [this.teamId, normalized, speaker.kind, SOURCE_NAME_SIMILARITY],
    )) as { id: string }[];
    if (!rows[0]) return null;
    const found = await this.manager.findOneByOrFail(Source, { id: rows[0].id });
    // A fuller name seen later replaces a bare surname ("Khinstin" -> "Alexander Khinstin").
    if (found.normalizedName && normalized.length > found.normalizedName.length && normalized.endsWith(` ${found.normalizedName}`)) {
      const { before, after } = await versionedUpdate(this.manager, Source, 'Source', found.id, found.version, {
        name: speaker.name,
        normalizedName: normalized,
      });
      await recordHistory(this.manager, {
        teamId: this.teamId,
        actorId: this.actorId,
        entityType: 'Source',
        entityId: found.id,
        action: 'UPDATE',
        reason: 'fuller name found at import',
        ...diff(before, after, ['name', 'version'] as const),
      });
      return after;
    }
    return found;
  }

  private async create(speaker: ExtractedSpeaker): Promise<Source> {
    const kind = (Object.values(SourceKind) as string[]).includes(speaker.kind) ? (speaker.kind as SourceKind) : SourceKind.OTHER;
    const created = await insertWithHistory(
      this.manager,
      Source,
      {
        teamId: this.teamId,
        kind,
        name: speaker.anonymous ? null : speaker.name!.slice(0, 300),
        normalizedName: speaker.anonymous ? null : normalizeName(speaker.name!),
        title: speaker.title?.slice(0, 300) ?? null,
        anonymous: speaker.anonymous,
        descriptor: speaker.anonymous ? (speaker.descriptor ?? 'unnamed source').slice(0, 500) : null,
        version: 1,
        createdBy: this.actorId,
      },
      (row) => ({
        teamId: this.teamId,
        actorId: this.actorId,
        entityType: 'Source',
        entityId: row.id,
        action: 'CREATE',
        reason: 'speaker found at import',
        after: snapshot(row, ['kind', 'name', 'title', 'anonymous', 'descriptor'] as const),
      }),
    );
    this.created.push(created);
    return created;
  }
}
