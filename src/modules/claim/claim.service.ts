import { In, type EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { authorize } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { badInput } from '../../shared/errors';
import { versionedUpdate } from '../../shared/versioned-update';
import { preparedQuery } from '../../db/request-db';
import { paginate, type ConnectionArgs, type ConnectionResult, type SortKey } from '../../shared/pagination';
import { hydrate, nestedConnection, type NestedConnectionSpec } from '../../shared/nested-connection';
import { languageTag } from '../../shared/values';
import { optionalText, checkText, optionalReason } from '../../shared/text';
import { CodePointText, anchorByPosition, anchorByQuote, type Anchor } from '../anchoring/anchoring';
import type { ArticleRevision } from '../article/article-revision.entity';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { Article } from '../article/article.entity';
import { Source } from '../source/source.entity';
import { CLAIM_FIELDS, Claim } from './claim.entity';
import { AnchorState, ClaimSort, ClaimStatus, Sourcing } from './claim.enums';
import { lockClaimForReview, lockTeamForReview, refreshClaimStatus } from './claim-status';
import { fromLifecycleError } from '../verdict/lifecycle-errors';
import type { AnchorInput, ClaimFilter, CreateClaimInput, DeleteClaimInput, SetClaimSpeakerInput, UpdateClaimInput } from './claim.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

const SORTS: Record<ClaimSort, SortKey[]> = {
  [ClaimSort.POSITION]: [
    { expression: 'claim.article_id', direction: 'ASC', type: 'uuid' },
    { expression: 'claim.position_start', direction: 'ASC', type: 'integer' },
    { expression: 'claim.id', direction: 'ASC', type: 'uuid' },
  ],
  [ClaimSort.UPDATED]: [
    { expression: 'claim.updated_at', direction: 'DESC', type: 'timestamptz' },
    { expression: 'claim.id', direction: 'DESC', type: 'uuid' },
  ],
  [ClaimSort.CREATED]: [
    { expression: 'claim.created_at', direction: 'DESC', type: 'timestamptz' },
    { expression: 'claim.id', direction: 'DESC', type: 'uuid' },
  ],
  [ClaimSort.STATUS]: [
    {
      expression: `array_position(ARRAY['DISPUTED','NEEDS_REREVIEW','IN_REVIEW','UNREVIEWED','SETTLED']::text[], claim.status)`,
      direction: 'ASC',
      type: 'integer',
    },
    { expression: 'claim.created_at', direction: 'DESC', type: 'timestamptz' },
    { expression: 'claim.id', direction: 'DESC', type: 'uuid' },
  ],
};

/** Sourcing follows from the speaker unless the caller says otherwise, and must agree with it. */
export function resolveSourcing(requested: Sourcing | null | undefined, speaker: Source | null): Sourcing {
  const derived = !speaker ? Sourcing.UNSOURCED : speaker.anonymous ? Sourcing.ANONYMOUS : Sourcing.SOURCED;
  if (requested == null) return derived;
  if (speaker && requested === Sourcing.UNSOURCED) throw badInput('An UNSOURCED claim cannot have a speaker', 'sourcing');
  if (speaker?.anonymous && requested === Sourcing.SOURCED) throw badInput('The speaker is anonymous, so the claim cannot be SOURCED', 'sourcing');
  if (speaker && !speaker.anonymous && requested === Sourcing.ANONYMOUS) throw badInput('The speaker is named, so the claim cannot be ANONYMOUS', 'sourcing');
  return requested;
}

/** `Article.claims`, in reading order: the resolver's query and the SQL compiler's (src/http/sql-selection.ts). */
export const ARTICLE_CLAIMS: NestedConnectionSpec<Claim> = {
  name: 'Article.claims',
  entity: Claim,
  table: 'claims',
  parentColumn: 'article_id',
  filter: 't.deleted_at IS NULL',
  sort: [
    { expression: 't.position_start', direction: 'ASC', type: 'integer' },
    { expression: 't.id', direction: 'ASC', type: 'uuid' },
  ],
  include: [{ column: 'speaker_id', entity: Source, table: 'sources', teamScoped: true }],
};

export class ClaimService {
  constructor(private readonly context: Context) {}

  async get(claimId: string): Promise<Claim> {
    return loadTeamRow(this.context, Claim, claimId, 'Claim', (claim) => !claim.deletedAt);
  }

  getByGlobalId(globalId: string, field = 'id'): Promise<Claim> {
    return this.get(fromGlobalId(globalId, 'Claim', field));
  }

  async list(filter: ClaimFilter | null | undefined, sort: ClaimSort | null | undefined, args: ConnectionArgs): Promise<ConnectionResult<Claim>> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(Claim, 'claim').where('claim.deleted_at IS NULL');
    if (filter?.articleId) {
      const article = await this.context.services.articles.getByGlobalId(filter.articleId, 'filter.articleId');
      query.andWhere('claim.article_id = :articleId', { articleId: article.id });
    }
    if (filter?.teamId) {
      const teamId = fromGlobalId(filter.teamId, 'Team', 'filter.teamId');
      authorize(actor, teamId, 'team.read', 'Team');
      query.andWhere('claim.team_id = :teamId', { teamId });
    } else {
      query.andWhere('claim.team_id = ANY(:teamIds)', { teamIds: actor.teamIds });
    }
    if (filter?.status?.length) query.andWhere('claim.status = ANY(:status)', { status: filter.status });
    if (filter?.sourcing?.length) query.andWhere('claim.sourcing = ANY(:sourcing)', { sourcing: filter.sourcing });
    if (filter?.kind?.length) query.andWhere('claim.kind = ANY(:kind)', { kind: filter.kind });
    if (filter?.anchorState) query.andWhere('claim.anchor_state = :anchorState', { anchorState: filter.anchorState });
    if (filter?.speakerId) {
      query.andWhere('claim.speaker_id = :speakerId', { speakerId: fromGlobalId(filter.speakerId, 'Source', 'filter.speakerId') });
    }
    if (filter?.rating?.length || filter?.reviewerId) {
      const conditions = ['verdict.claim_id = claim.id', 'verdict.withdrawn_at IS NULL'];
      const parameters: Record<string, unknown> = {};
      if (filter.rating?.length) {
        conditions.push('verdict.rating = ANY(:ratings)');
        parameters.ratings = filter.rating;
      }
      if (filter.reviewerId) {
        conditions.push('verdict.reviewer_id = :reviewerId');
        parameters.reviewerId = fromGlobalId(filter.reviewerId, 'User', 'filter.reviewerId');
      }
      query.andWhere(`EXISTS (SELECT 1 FROM verdicts verdict WHERE ${conditions.join(' AND ')})`, parameters);
    }
    if (filter?.search != null) {
      const search = checkText(filter.search, 'filter.search', { max: TEXT_LIMITS.search.max }).trim();
      const language = languageTag(filter.searchLanguage, 'filter.searchLanguage') ?? 'en';
      const tsquery = 'websearch_to_tsquery(claimgraph_search_config(:searchLanguage), :search)';
      query.andWhere(`claim.search_tsv @@ ${tsquery}`, { search, searchLanguage: language });
      if (!sort) {
        return paginate(
          query,
          [
            // rounded so the value in the cursor compares exactly on the next page
            { expression: `round(ts_rank_cd(claim.search_tsv, ${tsquery})::numeric, 6)`, direction: 'DESC', type: 'numeric' },
            { expression: 'claim.id', direction: 'DESC', type: 'uuid' },
          ],
          args,
        );
      }
    }
    return paginate(query, SORTS[sort ?? ClaimSort.CREATED], args);
  }

  /**
   * The team's claims worded like this one, most similar first: pg_trgm similarity of the quotes
   * at or above `minSimilarity` (default 0.45 — below it, unrelated sentences sharing a few
   * common words start to match), through the trigram index.
   */
  async similar(claim: Claim, limit: number, minSimilarity: number): Promise<{ claim: Claim; similarity: number }[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be between 1 and 100', 'first');
    if (!(minSimilarity > 0 && minSimilarity <= 1)) throw badInput('minSimilarity must be above 0 and at most 1', 'minSimilarity');
    return this.similarToText(claim.teamId, claim.quoteExact, limit, minSimilarity, claim.id);
  }

  async similarToText(
    teamId: string,
    text: string,
    limit: number,
    minSimilarity: number,
    excludeId: string | null = null,
  ): Promise<{ claim: Claim; similarity: number }[]> {
    const manager = await this.context.db.manager();
    // `%` uses the GIN trigram index; its threshold is a setting, local to this transaction.
    await manager.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(minSimilarity)]);
    const rows = (await manager.query(
      `SELECT c.*, similarity(c.quote_exact, $2) AS __similarity FROM claims c
        WHERE c.team_id = $1 AND c.deleted_at IS NULL AND c.quote_exact % $2 AND c.id IS DISTINCT FROM $3
        ORDER BY __similarity DESC, c.id LIMIT $4`,
      [teamId, text, excludeId, limit],
    )) as Record<string, unknown>[];
    return rows.map((row) => ({ claim: hydrate(manager, Claim, row), similarity: Number(row.__similarity) }));
  }

  /** An article's claims in reading order, batched across articles. */
  forArticle(article: Article, args: ConnectionArgs): Promise<ConnectionResult<Claim>> {
    return nestedConnection(this.context.db, this.context.loaders, ARTICLE_CLAIMS, article.id, args);
  }

  orphanedForArticle(article: Article, args: ConnectionArgs): Promise<ConnectionResult<Claim>> {
    return nestedConnection(
      this.context.db,
      this.context.loaders,
      {
        name: 'Article.orphanedClaims',
        entity: Claim,
        table: 'claims',
        parentColumn: 'article_id',
        filter: `t.deleted_at IS NULL AND t.anchor_state = 'ORPHANED'`,
        sort: [
          { expression: 't.position_start', direction: 'ASC', type: 'integer' },
          { expression: 't.id', direction: 'ASC', type: 'uuid' },
        ],
      },
      article.id,
      args,
    );
  }

  async create(input: CreateClaimInput): Promise<Claim> {
    const actor = requireActor(this.context);
    const article = await this.context.services.articles.getByGlobalId(input.articleId, 'articleId');
    authorize(actor, article.teamId, 'claim.write', 'Article');
    const revision = await this.context.services.articles.currentRevision(article);
    const anchor = this.anchor(revision.body, input.anchor);
    const speaker = input.speakerId ? await this.context.services.sources.getByGlobalId(input.speakerId, 'speakerId', article.teamId) : null;
    const sourcing = resolveSourcing(input.sourcing, speaker);
    const note = optionalText(input.note, 'note', TEXT_LIMITS.note.max);
    return this.context.db.transaction((manager) =>
      insertClaim(
        manager,
        {
          teamId: article.teamId,
          articleId: article.id,
          revisionId: revision.id,
          ...anchorColumns(anchor),
          kind: input.kind,
          sourcing,
          speakerId: speaker?.id ?? null,
          note,
          createdBy: actor.userId,
        },
        { actorId: actor.userId, reason: null },
      ),
    );
  }

  async update(input: UpdateClaimInput): Promise<Claim> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, current.teamId, 'claim.write', 'Claim');
    const changes: Partial<Claim> = {};
    if (input.anchor) {
      const article = await this.context.services.articles.get(current.articleId);
      const revision = await this.context.services.articles.currentRevision(article);
      Object.assign(changes, anchorColumns(this.anchor(revision.body, input.anchor)), {
        revisionId: revision.id,
        anchorState: AnchorState.ANCHORED,
      });
    }
    if (input.kind != null) changes.kind = input.kind;
    if (input.note !== undefined) changes.note = optionalText(input.note, 'note', TEXT_LIMITS.note.max);
    if (input.sourcing != null) {
      const speaker = current.speakerId ? await this.context.loaders.entity(Source).load(current.speakerId) : null;
      changes.sourcing = resolveSourcing(input.sourcing, speaker);
    }
    if (changes.quoteExact === undefined || changes.quoteExact === current.quoteExact) {
      return this.write(current, input.expectedVersion, changes, 'UPDATE');
    }
    // new words for a claim that may have verdicts: as a revision would, under the review lock
    return this.context.db.transaction(async (manager) => {
      await this.lockForReview(manager, current.id);
      const [verdicts] = await this.currentVerdictCounts(manager, [current.id]);
      const words = reviewedWords(current, changes.quoteExact!, verdicts > 0);
      const updated = await this.write(current, input.expectedVersion, { ...changes, ...words.changes }, 'UPDATE', null, manager);
      if (words.event) await this.recordTextChange(manager, updated, words.event, null);
      await this.refreshStatus(manager, current.id);
      return this.get(current.id);
    });
  }

  async setSpeaker(input: SetClaimSpeakerInput): Promise<Claim> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, current.teamId, 'claim.write', 'Claim');
    const speaker = input.speakerId ? await this.context.services.sources.getByGlobalId(input.speakerId, 'speakerId', current.teamId) : null;
    return this.write(
      current,
      input.expectedVersion,
      {
        speakerId: speaker?.id ?? null,
        sourcing: resolveSourcing(input.sourcing, speaker),
      },
      'SET_SPEAKER',
    );
  }

  async delete(input: DeleteClaimInput): Promise<Claim> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, current.teamId, 'claim.write', 'Claim');
    const reason = optionalReason(input.reason);
    return this.write(current, input.expectedVersion, { deletedAt: new Date() }, 'DELETE', reason);
  }

  /** The one write path for claims: version-checked, with its history event in the same transaction. */
  async write(
    current: Claim,
    expectedVersion: number,
    changes: Partial<Claim>,
    action: string,
    reason: string | null = null,
    manager?: EntityManager,
  ): Promise<Claim> {
    const actor = requireActor(this.context);
    const run = async (tx: EntityManager): Promise<Claim> => {
      const { before, after } = await versionedUpdate(tx, Claim, 'Claim', current.id, expectedVersion, changes, 'deleted_at IS NULL');
      await recordHistory(tx, {
        teamId: after.teamId,
        actorId: actor.userId,
        entityType: 'Claim',
        entityId: after.id,
        claimId: after.id,
        articleId: after.articleId,
        action,
        reason,
        ...diff(before, after, CLAIM_FIELDS),
      });
      this.context.loaders.clear();
      return after;
    };
    return manager ? run(manager) : this.context.db.transaction(run);
  }

  /**
   * The claim's review lock (claimgraph_lock_claim_for_review in verdict-lifecycle.sql): the team's
   * review lock, shared, then the claim's row, as the verdict writes take them. Everything that
   * changes an input of the claim's status (and publishing, which must not interleave with a
   * verdict) runs under it.
   */
  async lockForReview(manager: EntityManager, claimId: string): Promise<{ published: boolean }> {
    try {
      return { published: await lockClaimForReview(manager, claimId) };
    } catch (error) {
      throw fromLifecycleError(error, requireActor(this.context));
    }
  }

  /** Re-derives status after verdicts or dispute marks change (call lockForReview first). */
  async refreshStatus(manager: EntityManager, claimId: string): Promise<void> {
    await refreshClaimStatus(manager, [claimId], this.context.session.actor?.userId ?? null);
    this.context.loaders.clear();
  }

  /**
   * Moves every claim of an article onto a new revision's text, in the caller's transaction.
   * Orphaned claims are tried again too: words removed by one correction may come back in the next.
   * A claim whose words change (not only their position) while it has verdicts or a publication
   * gets a TEXT_CHANGED event, and with verdicts the status NEEDS_REREVIEW (see `reviewedWords`).
   */
  async reanchorAll(
    manager: EntityManager,
    articleId: string,
    previousBody: string,
    revision: ArticleRevision,
  ): Promise<{ anchored: Claim[]; orphaned: Claim[] }> {
    // the team's review lock before any claim's row, then the rows in id order: the lock order of
    // verdict writes and quorum changes, so a revision deadlocks with neither
    await lockTeamForReview(manager, revision.teamId);
    const claims = (
      await manager
        .createQueryBuilder(Claim, 'claim')
        .where('claim.article_id = :articleId AND claim.deleted_at IS NULL', { articleId })
        .orderBy('claim.id', 'ASC')
        .setLock('for_no_key_update')
        .getMany()
    ).sort((a, b) => a.positionStart - b.positionStart);
    const verdictCounts = await this.currentVerdictCounts(
      manager,
      claims.map((claim) => claim.id),
    );
    const results = await this.context.cpu.reanchorAll({
      anchors: claims.map((claim) => ({
        position: { start: claim.positionStart, end: claim.positionEnd },
        quote: { exact: claim.quoteExact, prefix: claim.quotePrefix, suffix: claim.quoteSuffix },
      })),
      text: revision.body,
      previousTextLength: new CodePointText(previousBody).length,
    });
    const anchored: Claim[] = [];
    const orphaned: Claim[] = [];
    const rederive: string[] = [];
    for (const [index, claim] of claims.entries()) {
      const result = results[index];
      if (result.status === 'ANCHORED') {
        const words = reviewedWords(claim, result.anchor.quote.exact, verdictCounts[index] > 0);
        const moved = await this.write(
          claim,
          claim.version,
          {
            ...anchorColumns(result.anchor),
            revisionId: revision.id,
            anchorState: AnchorState.ANCHORED,
            ...words.changes,
          },
          'REANCHOR',
          `${result.method.toLowerCase()} match on revision ${revision.number} (score ${result.score.toFixed(2)})`,
          manager,
        );
        if (words.event) {
          await this.recordTextChange(manager, moved, words.event, `revision ${revision.number}`);
          rederive.push(claim.id);
        }
        anchored.push(moved);
      } else {
        const lost =
          claim.anchorState === AnchorState.ORPHANED
            ? claim
            : await this.write(
                claim,
                claim.version,
                { anchorState: AnchorState.ORPHANED },
                'ORPHAN',
                `not found in revision ${revision.number}: ${result.reason}`,
                manager,
              );
        orphaned.push(lost);
      }
    }
    if (rederive.length) {
      await refreshClaimStatus(manager, rederive, this.context.session.actor?.userId ?? null);
      this.context.loaders.clear();
      const statuses = new Map((await manager.findBy(Claim, { id: In(rederive) })).map((claim) => [claim.id, claim]));
      return { anchored: anchored.map((claim) => statuses.get(claim.id) ?? claim), orphaned };
    }
    return { anchored, orphaned };
  }

  /** Current verdicts per claim, in the order of `claimIds`. */
  private async currentVerdictCounts(manager: EntityManager, claimIds: string[]): Promise<number[]> {
    if (claimIds.length === 0) return [];
    const rows = await preparedQuery<{ claim_id: string; n: number }>(
      manager,
      'SELECT claim_id, count(*)::int AS n FROM verdicts WHERE claim_id = ANY ($1::uuid[]) AND withdrawn_at IS NULL GROUP BY claim_id',
      [claimIds],
    );
    const counts = new Map(rows.map((row) => [row.claim_id, row.n]));
    return claimIds.map((id) => counts.get(id) ?? 0);
  }

  /** TEXT_CHANGED: the words before and after, and the words the verdicts judged. */
  private recordTextChange(manager: EntityManager, claim: Claim, event: TextChange, reason: string | null): Promise<void> {
    return recordHistory(manager, {
      teamId: claim.teamId,
      actorId: requireActor(this.context).userId,
      entityType: 'Claim',
      entityId: claim.id,
      claimId: claim.id,
      articleId: claim.articleId,
      action: 'TEXT_CHANGED',
      reason,
      before: event.before,
      after: event.after,
    });
  }

  private anchor(text: string, input: AnchorInput): Anchor {
    if (Boolean(input.position) === Boolean(input.quote)) {
      throw badInput('Give the anchor as exactly one of position or quote', 'anchor');
    }
    if (input.position) return anchorByPosition(text, input.position.start, input.position.end);
    const quote = input.quote!;
    checkText(quote.exact, 'anchor.quote.exact', { max: 100_000 });
    return anchorByQuote(text, { exact: quote.exact, prefix: quote.prefix ?? null, suffix: quote.suffix ?? null });
  }
}

interface TextChange {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * What new words do to a claim's review. Verdicts are bound to the words they judged: when the
 * exact text changes (a moved position alone changes nothing) and the claim has current verdicts,
 * `judgedQuote` keeps the words they judged — the first ones, if the text changes again before
 * anyone re-reviews — and the status derivation makes the claim NEEDS_REREVIEW; words that come
 * back to what was judged lift it. A published claim's publication keeps its own words
 * (`publishedQuote`). Either way the change is a TEXT_CHANGED event.
 */
export function reviewedWords(claim: Claim, quote: string, hasVerdicts: boolean): { changes: Partial<Claim>; event: TextChange | null } {
  if (quote === claim.quoteExact) return { changes: {}, event: null };
  const judged = claim.judgedQuote ?? (hasVerdicts ? claim.quoteExact : null);
  const judgedQuote = judged === quote ? null : judged;
  if (judged === null && !claim.publishedAt) return { changes: {}, event: null };
  return {
    changes: { judgedQuote },
    event: {
      before: { quoteExact: claim.quoteExact, judgedQuote: claim.judgedQuote },
      after: { quoteExact: quote, judgedQuote },
    },
  };
}

/** What the creator of a claim decides; every other column starts from its default (`insertClaim`). */
export type NewClaim = Pick<Claim, 'teamId' | 'articleId' | 'revisionId' | 'kind' | 'sourcing' | 'createdBy'> &
  ReturnType<typeof anchorColumns> &
  Partial<Pick<Claim, 'speakerId' | 'note' | 'via' | 'externalReview' | 'repeatOfId' | 'extractionConfidence' | 'checkworthiness'>>;

/**
 * The one way a claim comes to exist (createClaim, article import, ClaimReview import): anchored,
 * UNREVIEWED, version 1, with its CREATE event holding a full snapshot of the recorded fields,
 * which `asOf` replays from. `recordAlso` adds fields the event records beside the snapshot.
 */
export function insertClaim(
  manager: EntityManager,
  values: NewClaim,
  event: { actorId: string; reason: string | null; recordAlso?: Record<string, unknown> },
): Promise<Claim> {
  return insertWithHistory(manager, Claim, { ...values, anchorState: AnchorState.ANCHORED, status: ClaimStatus.UNREVIEWED, version: 1 }, (created) => ({
    teamId: created.teamId,
    actorId: event.actorId,
    entityType: 'Claim',
    entityId: created.id,
    claimId: created.id,
    articleId: created.articleId,
    action: 'CREATE',
    reason: event.reason,
    after: { ...snapshot(created, CLAIM_FIELDS), ...event.recordAlso },
  }));
}

export function anchorColumns(anchor: Anchor): Pick<Claim, 'positionStart' | 'positionEnd' | 'quoteExact' | 'quotePrefix' | 'quoteSuffix'> {
  return {
    positionStart: anchor.position.start,
    positionEnd: anchor.position.end,
    quoteExact: anchor.quote.exact,
    quotePrefix: anchor.quote.prefix,
    quoteSuffix: anchor.quote.suffix,
  };
}
