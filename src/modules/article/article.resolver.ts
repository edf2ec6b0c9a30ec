import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { User } from '../user/user.entity';
import { Team } from '../team/team.entity';
import { ClaimConnection } from '../claim/claim.resolver';
import type { Claim } from '../claim/claim.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Article } from './article.entity';
import { ReviseArticleInput, ReviseArticlePayload } from './revision.inputs';
import { ArticleRevision } from './article-revision.entity';
import { ArticlesArgs, CreateArticleInput, CreateArticlePayload, UpdateArticleInput, UpdateArticlePayload } from './article.inputs';

export const ArticleConnection = connectionType(Article, 'Article');
export const ArticleRevisionConnection = connectionType(ArticleRevision, 'ArticleRevision');

@Resolver(() => Article)
export class ArticleResolver {
  @Query(() => ArticleConnection, { description: 'Articles of your teams, newest first.' })
  articles(@Args(() => ArticlesArgs) args: ArticlesArgs, @Ctx() context: Context): Promise<ConnectionResult<Article>> {
    return context.services.articles.list(args.filter, args);
  }

  @Query(() => Article)
  article(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Article> {
    return context.services.articles.getByGlobalId(id);
  }

  @Mutation(() => CreateArticlePayload, { description: 'Creates an article and its revision 1 (EDITOR).' })
  async createArticle(@Arg('input', () => CreateArticleInput) input: CreateArticleInput, @Ctx() context: Context): Promise<CreateArticlePayload> {
    return context.services.articles.create(input);
  }

  @Mutation(() => UpdateArticlePayload, { description: "Changes the article's metadata (EDITOR); the text changes by revision." })
  async updateArticle(@Arg('input', () => UpdateArticleInput) input: UpdateArticleInput, @Ctx() context: Context): Promise<UpdateArticlePayload> {
    return { article: await context.services.articles.update(input) };
  }

  @Mutation(() => ReviseArticlePayload, { description: 'Stores corrected text as the next revision and re-anchors every claim (EDITOR).' })
  reviseArticle(@Arg('input', () => ReviseArticleInput) input: ReviseArticleInput, @Ctx() context: Context): Promise<ReviseArticlePayload> {
    return context.services.articles.revise(input);
  }

  @FieldResolver(() => Team)
  team(@Root() article: Article, @Ctx() context: Context): Promise<Team> {
    return context.services.teams.get(article.teamId);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() article: Article, @Ctx() context: Context): Promise<User | null> {
    return context.loaders.entity(User, false).load(article.createdBy);
  }

  @FieldResolver(() => ArticleRevision, { description: 'The revision claims are anchored to.' })
  currentRevision(@Root() article: Article, @Ctx() context: Context): Promise<ArticleRevision> {
    return context.services.articles.currentRevision(article);
  }

  @FieldResolver(() => ArticleRevision, { nullable: true })
  revision(@Root() article: Article, @Arg('number', () => Int) number: number, @Ctx() context: Context): Promise<ArticleRevision | null> {
    return context.services.articles.revisionByNumber(article, number);
  }

  @FieldResolver(() => ArticleRevisionConnection, { description: 'Newest first.' })
  revisions(@Root() article: Article, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<ArticleRevision>> {
    return context.services.articles.revisions(article, args);
  }

  @FieldResolver(() => ClaimConnection, { description: 'In reading order.' })
  claims(@Root() article: Article, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Claim>> {
    return context.services.claims.forArticle(article, args);
  }

  @FieldResolver(() => ClaimConnection, { description: 'Claims a revision could not place on its words.' })
  orphanedClaims(@Root() article: Article, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Claim>> {
    return context.services.claims.orphanedForArticle(article, args);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Changes to the article, newest first.' })
  history(@Root() article: Article, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: article.id }, article.teamId, args);
  }
}
