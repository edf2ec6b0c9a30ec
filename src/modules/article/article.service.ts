import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Context } from '../../shared/context';
import { requireActor, requireRole } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { badInput, notFound } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { nestedConnection } from '../../shared/nested-connection';
import { checkText, MAX_ARTICLE_CODE_POINTS, normalizeBody, optionalText, requiredText } from '../../shared/text';
import { httpUrl, languageTag, validDate } from '../../shared/values';
import { diff, recordHistory, snapshot } from '../history/history.service';
import { Role } from '../team/role';
import { Article } from './article.entity';
import { ArticleRevision } from './article-revision.entity';
import type { ArticleFilter, CreateArticleInput, UpdateArticleInput } from './article.inputs';

const ARTICLE_FIELDS = ['title', 'url', 'outlet', 'byline', 'publishedAt', 'language'] as const;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class ArticleService {
  constructor(private readonly context: Context) {}

  async get(articleId: string): Promise<Article> {
    const actor = requireActor(this.context);
    const article = await this.context.loaders.entity(Article).load(articleId);
    if (!article || article.deletedAt || !actor.roleIn(article.teamId)) throw notFound('Article');
    return article;
  }

  async getByGlobalId(globalId: string, field = 'id'): Promise<Article> {
    return this.get(fromGlobalId(globalId, 'Article', field));
  }

  async list(filter: ArticleFilter | null | undefined, args: ConnectionArgs): Promise<ConnectionResult<Article>> {
    const actor = requireActor(this.context);
    const teamIds = filter?.teamId ? [this.teamFilter(filter.teamId)] : actor.teamIds;
    const manager = await this.context.db.manager();
    const query = manager
      .createQueryBuilder(Article, 'article')
      .where('article.team_id = ANY(:teamIds)', { teamIds })
      .andWhere('article.deleted_at IS NULL');
    if (filter?.text) {
      const text = checkText(filter.text, 'filter.text', { max: 500 }).trim();
      query.andWhere(
        `(article.title ILIKE :pattern OR article.outlet ILIKE :pattern OR article.byline ILIKE :pattern)`,
        { pattern: `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%` },
      );
    }
    if (filter?.outlet) query.andWhere('article.outlet = :outlet', { outlet: filter.outlet });
    const from = validDate(filter?.publishedFrom, 'filter.publishedFrom');
    const to = validDate(filter?.publishedTo, 'filter.publishedTo');
    if (from && to && from > to) throw badInput('filter.publishedFrom is after filter.publishedTo', 'filter.publishedFrom');
    if (from) query.andWhere('article.published_at >= :from', { from });
    if (to) query.andWhere('article.published_at < :to', { to });
    return paginate(query, [
      { expression: 'article.created_at', direction: 'DESC', type: 'timestamptz' },
      { expression: 'article.id', direction: 'DESC', type: 'uuid' },
    ], args);
  }

  async create(input: CreateArticleInput): Promise<{ article: Article; revision: ArticleRevision }> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    requireRole(actor, teamId, Role.EDITOR, 'Team');
    const body = normalizeBody(checkText(input.text, 'text', { max: MAX_ARTICLE_CODE_POINTS }));
    const values = {
      teamId,
      title: requiredText(input.title, 'title', 500),
      url: httpUrl(input.url, 'url'),
      outlet: optionalText(input.outlet, 'outlet', 200),
      byline: optionalText(input.byline, 'byline', 500),
      publishedAt: validDate(input.publishedAt, 'publishedAt'),
      language: languageTag(input.language, 'language') ?? 'en',
      currentRevisionNumber: 1,
      createdBy: actor.userId,
    };
    return this.context.db.transaction(async (manager) => {
      const article = manager.create(Article, values);
      await manager.insert(Article, article);
      const revision = await this.insertRevision(manager, article, 1, body);
      await recordHistory(manager, {
        teamId, actorId: actor.userId, entityType: 'Article', entityId: article.id, articleId: article.id,
        action: 'CREATE', after: { ...snapshot(article, ARTICLE_FIELDS), revisionNumber: 1, bodySha256: revision.bodySha256 },
      });
      return { article: await manager.findOneByOrFail(Article, { id: article.id }), revision };
    });
  }

  async update(input: UpdateArticleInput): Promise<Article> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.articleId, 'articleId');
    requireRole(actor, current.teamId, Role.EDITOR, 'Article');
    const changes: Partial<Article> = {};
    if (input.title != null) changes.title = requiredText(input.title, 'title', 500);
    if (input.url !== undefined) changes.url = httpUrl(input.url, 'url');
    if (input.outlet !== undefined) changes.outlet = optionalText(input.outlet, 'outlet', 200);
    if (input.byline !== undefined) changes.byline = optionalText(input.byline, 'byline', 500);
    if (input.publishedAt !== undefined) changes.publishedAt = validDate(input.publishedAt, 'publishedAt');
    if (input.language != null) changes.language = languageTag(input.language, 'language')!;
    return this.context.db.transaction(async (manager) => {
      const before = await manager.findOne(Article, { where: { id: current.id }, lock: { mode: 'pessimistic_write' } });
      if (!before || before.deletedAt) throw notFound('Article');
      const change = diff(before, { ...before, ...changes }, ARTICLE_FIELDS);
      if (Object.keys(change.after).length === 0) return before;
      await manager.update(Article, { id: before.id }, changes);
      await recordHistory(manager, {
        teamId: before.teamId, actorId: actor.userId, entityType: 'Article', entityId: before.id, articleId: before.id,
        action: 'UPDATE', ...change,
      });
      this.context.loaders.clear();
      return manager.findOneByOrFail(Article, { id: before.id });
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
    return nestedConnection(this.context.db, this.context.loaders, {
      name: 'Article.revisions',
      entity: ArticleRevision,
      table: 'article_revisions',
      parentColumn: 'article_id',
      sort: [
        { expression: 't.number', direction: 'DESC', type: 'integer' },
        { expression: 't.id', direction: 'DESC', type: 'uuid' },
      ],
    }, article.id, args);
  }

  private teamFilter(globalId: string): string {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(globalId, 'Team', 'filter.teamId');
    requireRole(actor, teamId, Role.VIEWER, 'Team');
    return teamId;
  }
}
