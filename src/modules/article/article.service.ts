import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { authorize } from '../team/permissions';
import { fromGlobalId, toGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { nestedConnection } from '../../shared/nested-connection';
import { checkText, MAX_ARTICLE_CODE_POINTS, normalizeBody, optionalText, requiredText } from '../../shared/text';
import { httpUrl, languageTag, validDate } from '../../shared/values';
import { diff, recordHistory, snapshot } from '../history/history.service';
import { Article } from './article.entity';
import { ArticleRevision } from './article-revision.entity';
import type { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.inputs';
import type { ReviseArticleInput } from './revision.inputs';
import type { Claim } from '../claim/claim.entity';
import { TEXT_LIMITS } from '../../shared/text-limits';

const ARTICLE_FIELDS = ['title', 'url', 'outlet', 'byline', 'publishedAt', 'language'] as const;

export interface PreparedArticle {
  values: Pick<Article, 'teamId' | 'title' | 'url' | 'outlet' | 'byline' | 'publishedAt' | 'language' | 'currentRevisionNumber' | 'createdBy'>;
  body: string;
  /** Store it even when the team has an article with the same URL or text. */
  allowDuplicate: boolean;
  /** What the client called the text (`text`, importArticle's `content`). */
  textField: string;
}

/**
 * An article body must be text: control characters other than tab and line breaks, or many
 * U+FFFD (what a decoder leaves of invalid UTF-8), mean a binary file or a wrong encoding.
 */
export function checkArticleBody(body: string, field = 'text'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this check's purpose
  if (/[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(body)) {
    throw badInput(`${field} contains control characters; is it a binary file?`, field);
  }
  const replacements = body.match(/\uFFFD/g)?.length ?? 0;
  if (replacements > 0 && replacements >= Math.max(3, body.length / 1000)) {
    throw badInput(`${field} is not valid UTF-8 text`, field);
  }
  return body;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ArticleService {
  constructor(private readonly context: Context) {}

  async get(articleId: string): Promise<Article> {
    return loadTeamRow(this.context, Article, articleId, 'Article', (article) => !article.deletedAt);
  }

  async getByGlobalId(globalId: string, field = 'id'): Promise<Article> {
    return this.get(fromGlobalId(globalId, 'Article', field));
  }

  async list(filter: ArticleFilter | null | undefined, args: ConnectionArgs): Promise<ConnectionResult<Article>> {
    const actor = requireActor(this.context);
    const teamIds = filter?.teamId ? [this.teamFilter(filter.teamId)] : actor.teamIds;
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(Article, 'article').where('article.team_id = ANY(:teamIds)', { teamIds }).andWhere('article.deleted_at IS NULL');
    if (filter?.text) {
      const text = checkText(filter.text, 'filter.text', { max: TEXT_LIMITS.search.max }).trim();
      query.andWhere(`(article.title ILIKE :pattern OR article.outlet ILIKE :pattern OR article.byline ILIKE :pattern)`, {
        pattern: `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`,
      });
    }
    if (filter?.outlet) query.andWhere('article.outlet = :outlet', { outlet: filter.outlet });
    const from = validDate(filter?.publishedFrom, 'filter.publishedFrom');
    const to = validDate(filter?.publishedTo, 'filter.publishedTo');
    if (from && to && from > to) throw badInput('filter.publishedFrom is after filter.publishedTo', 'filter.publishedFrom');
    if (from) query.andWhere('article.published_at >= :from', { from });
    if (to) query.andWhere('article.published_at < :to', { to });
    if (filter?.search != null) {
      const search = checkText(filter.search, 'filter.search', { max: TEXT_LIMITS.search.max }).trim();
      const language = languageTag(filter.searchLanguage, 'filter.searchLanguage') ?? 'en';
      const tsquery = 'websearch_to_tsquery(claimgraph_search_config(:searchLanguage), :search)';
      const bodyMatch = `(SELECT r.search_tsv FROM article_revisions r WHERE r.article_id = article.id AND r.number = article.current_revision_number)`;
      // One document (metadata + text), so `weather -rain` excludes an article whose text has rain.
      query.andWhere(`(article.search_tsv || coalesce(${bodyMatch}, ''::tsvector)) @@ ${tsquery}`, { search, searchLanguage: language });
      // Title, outlet and byline weigh twice the body; rounded so the cursor compares exactly.
      const rank = `round((2 * ts_rank(article.search_tsv, ${tsquery}) + ts_rank(coalesce(${bodyMatch}, ''::tsvector), ${tsquery}))::numeric, 6)`;
      return paginate(
        query,
        [
          { expression: rank, direction: 'DESC', type: 'numeric' },
          { expression: 'article.id', direction: 'DESC', type: 'uuid' },
        ],
        args,
      );
    }
    return paginate(
      query,
      [
        { expression: 'article.created_at', direction: 'DESC', type: 'timestamptz' },
        { expression: 'article.id', direction: 'DESC', type: 'uuid' },
      ],
      args,
    );
  }

  async create(input: CreateArticleInput): Promise<{ article: Article; revision: ArticleRevision }> {
    const prepared = this.prepare(input);
    return this.context.db.transaction((manager) => this.insert(manager, prepared));
  }

  /**
   * Validates a new article (permission first); nothing is written. `textField` is what the
   * client called the text (importArticle's `content`), so errors name the field it sent.
   */
  prepare(input: Omit<CreateArticleInput, 'text' | 'allowDuplicate'> & { text: string; allowDuplicate?: boolean | null }, textField = 'text'): PreparedArticle {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    authorize(actor, teamId, 'article.write', 'Team');
    const body = checkArticleBody(normalizeBody(checkText(input.text, textField, { max: MAX_ARTICLE_CODE_POINTS })), textField);
    const values = {
      teamId,
      title: requiredText(input.title, 'title', TEXT_LIMITS.title.max),
      url: httpUrl(input.url, 'url'),
      outlet: optionalText(input.outlet, 'outlet', TEXT_LIMITS.outlet.max),
      byline: optionalText(input.byline, 'byline', TEXT_LIMITS.byline.max),
      publishedAt: validDate(input.publishedAt, 'publishedAt'),
      language: languageTag(input.language, 'language') ?? 'en',
      currentRevisionNumber: 1,
      createdBy: actor.userId,
    };
    return { values, body, allowDuplicate: input.allowDuplicate === true, textField };
  }

  /** Writes a prepared article and its revision 1, with the history event, in the caller's transaction. */
  async insert(manager: EntityManager, prepared: PreparedArticle, action = 'CREATE'): Promise<{ article: Article; revision: ArticleRevision }> {
    const { values, body } = prepared;
    if (!prepared.allowDuplicate) await this.refuseDuplicate(manager, prepared);
    const article = manager.create(Article, values);
    await manager.insert(Article, article);
    const revision = await this.insertRevision(manager, article, 1, body);
    await recordHistory(manager, {
      teamId: values.teamId,
      actorId: values.createdBy,
      entityType: 'Article',
      entityId: article.id,
      articleId: article.id,
      action,
      after: { ...snapshot(article, ARTICLE_FIELDS), revisionNumber: 1, bodySha256: revision.bodySha256 },
    });
    return { article: await manager.findOneByOrFail(Article, { id: article.id }), revision };
  }

  /**
   * ALREADY_EXISTS, naming the team's article, when one has the same URL or a revision with the
   * same text. Two imports of one article at once must not both get in, and no constraint can say
   * "unique unless the caller allows a duplicate": so each import takes transaction-scoped
   * advisory locks on its team's URL and text hash (in one order, so two imports cannot deadlock)
   * before it looks. The second waits for the first to commit, then sees its article (READ
   * COMMITTED: the look is a new statement).
   */
  private async refuseDuplicate(manager: EntityManager, { values, body, textField }: PreparedArticle): Promise<void> {
    const bodySha256 = sha256(body);
    const keys = [`article-text:${values.teamId}:${bodySha256}`];
    if (values.url) keys.push(`article-url:${values.teamId}:${values.url}`);
    for (const key of keys.sort()) await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
    const [existing] = (await manager.query(
      `SELECT a.id, a.url = $2 AS same_url FROM articles a
        WHERE a.team_id = $1 AND a.deleted_at IS NULL AND (a.url = $2
          OR EXISTS (SELECT 1 FROM article_revisions r WHERE r.team_id = $1 AND r.article_id = a.id AND r.body_sha256 = $3))
        ORDER BY (a.url = $2) DESC NULLS LAST, a.created_at LIMIT 1`,
      [values.teamId, values.url, bodySha256],
    )) as { id: string; same_url: boolean | null }[];
    if (!existing) return;
    const field = existing.same_url ? 'url' : textField;
    throw new DomainError(
      ErrorCode.ALREADY_EXISTS,
      `The team already has this article (the same ${existing.same_url ? 'URL' : 'text'}); pass allowDuplicate: true to store it again`,
      { articleId: toGlobalId('Article', existing.id), field },
    );
  }

  async update(input: UpdateArticleInput): Promise<Article> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.articleId, 'articleId');
    authorize(actor, current.teamId, 'article.write', 'Article');
    const changes: Partial<Article> = {};
    if (input.title != null) changes.title = requiredText(input.title, 'title', TEXT_LIMITS.title.max);
    if (input.url !== undefined) changes.url = httpUrl(input.url, 'url');
    if (input.outlet !== undefined) changes.outlet = optionalText(input.outlet, 'outlet', TEXT_LIMITS.outlet.max);
    if (input.byline !== undefined) changes.byline = optionalText(input.byline, 'byline', TEXT_LIMITS.byline.max);
    if (input.publishedAt !== undefined) changes.publishedAt = validDate(input.publishedAt, 'publishedAt');
    if (input.language != null) changes.language = languageTag(input.language, 'language')!;
    return this.context.db.transaction(async (manager) => {
      const before = await manager.findOne(Article, { where: { id: current.id }, lock: { mode: 'pessimistic_write' } });
      if (!before || before.deletedAt) throw notFound('Article');
      const change = diff(before, { ...before, ...changes }, ARTICLE_FIELDS);
      if (Object.keys(change.after).length === 0) return before;
      await manager.update(Article, { id: before.id }, changes);
      await recordHistory(manager, {
        teamId: before.teamId,
        actorId: actor.userId,
        entityType: 'Article',
        entityId: before.id,
        articleId: before.id,
        action: 'UPDATE',
        ...change,
      });
      this.context.loaders.clear();
      return manager.findOneByOrFail(Article, { id: before.id });
    });
  }

  /**
   * A corrected text becomes revision N+1 and every claim is re-anchored to it (exact match near
   * the old place first, then a fuzzy match scored on quote, prefix and suffix). A claim whose
   * words are gone or too changed becomes ORPHANED and keeps its last anchor: it is never
   * attached to the wrong words. Verdicts stay with their claims; each move is in history.
   */
  async revise(input: ReviseArticleInput): Promise<{ article: Article; revision: ArticleRevision; anchored: Claim[]; orphaned: Claim[] }> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.articleId, 'articleId');
    authorize(actor, current.teamId, 'article.write', 'Article');
    const body = checkArticleBody(normalizeBody(checkText(input.text, 'text', { max: MAX_ARTICLE_CODE_POINTS })));
    return this.context.db.transaction(async (manager) => {
      // One revision at a time per article: the number sequence and the re-anchoring stay consistent.
      const [locked] = (await manager.query('SELECT current_revision_number FROM articles WHERE id = $1 AND deleted_at IS NULL FOR UPDATE', [current.id])) as {
        current_revision_number: number;
      }[];
      if (!locked) throw notFound('Article');
      const previousNumber = locked.current_revision_number;
      if (input.expectedRevisionNumber != null && input.expectedRevisionNumber !== previousNumber) {
        throw new DomainError(ErrorCode.VERSION_CONFLICT, 'The article was revised by someone else', { currentVersion: previousNumber });
      }
      const previous = await manager.findOneByOrFail(ArticleRevision, { articleId: current.id, number: previousNumber });
      if (previous.bodySha256 === sha256(body)) throw badInput(`The text is the same as revision ${previousNumber}`, 'text');
      const revision = await this.insertRevision(manager, current, previousNumber + 1, body);
      await manager.update(Article, { id: current.id }, { currentRevisionNumber: revision.number });
      await recordHistory(manager, {
        teamId: current.teamId,
        actorId: actor.userId,
        entityType: 'Article',
        entityId: current.id,
        articleId: current.id,
        action: 'REVISE',
        before: { currentRevisionNumber: previousNumber, bodySha256: previous.bodySha256 },
        after: { currentRevisionNumber: revision.number, bodySha256: revision.bodySha256 },
      });
      const { anchored, orphaned } = await this.context.services.claims.reanchorAll(manager, current.id, previous.body, revision);
      this.context.loaders.clear();
      return { article: await manager.findOneByOrFail(Article, { id: current.id }), revision, anchored, orphaned };
    });
  }

  async insertRevision(manager: EntityManager, article: Article, number: number, body: string): Promise<ArticleRevision> {
    const revision = manager.create(ArticleRevision, {
      teamId: article.teamId,
      articleId: article.id,
      number,
      body,
      bodySha256: sha256(body),
      createdBy: requireActor(this.context).userId,
    });
    await manager.insert(ArticleRevision, revision);
    return manager.findOneByOrFail(ArticleRevision, { id: revision.id });
  }

  /** The revision claims anchor to now. */
  currentRevision(article: Article): Promise<ArticleRevision> {
    return this.revisionByNumber(article, article.currentRevisionNumber).then((revision) => {
      if (!revision) throw notFound('ArticleRevision');
      return revision;
    });
  }

  revisionByNumber(article: Article, number: number): Promise<ArticleRevision | null> {
    return this.context.loaders
      .keyed<string, ArticleRevision | null>('ArticleRevision.byArticleNumber', async (keys) => {
        const manager = await this.context.db.manager();
        const pairs = keys.map((key) => key.split('|'));
        const rows = await manager
          .createQueryBuilder(ArticleRevision, 'revision')
          .where('(revision.article_id, revision.number) IN (SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:numbers AS int[])))', {
            ids: pairs.map(([id]) => id),
            numbers: pairs.map(([, n]) => Number(n)),
          })
          .andWhere('revision.team_id = ANY(:teamIds)', { teamIds: [...this.context.db.teamIds] })
          .getMany();
        const found = new Map(rows.map((row) => [`${row.articleId}|${row.number}`, row]));
        return keys.map((key) => found.get(key) ?? null);
      })
      .load(`${article.id}|${number}`);
  }

  revisions(article: Article, args: ConnectionArgs): Promise<ConnectionResult<ArticleRevision>> {
    return nestedConnection(
      this.context.db,
      this.context.loaders,
      {
        name: 'Article.revisions',
        entity: ArticleRevision,
        table: 'article_revisions',
        parentColumn: 'article_id',
        sort: [
          { expression: 't.number', direction: 'DESC', type: 'integer' },
          { expression: 't.id', direction: 'DESC', type: 'uuid' },
        ],
      },
      article.id,
      args,
    );
  }

  private teamFilter(globalId: string): string {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(globalId, 'Team', 'filter.teamId');
    authorize(actor, teamId, 'team.read', 'Team');
    return teamId;
  }
}
