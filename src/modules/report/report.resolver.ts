import { Arg, Args, Ctx, FieldResolver, Float, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, ConnectionResult, connectionType } from '../../shared/pagination';
import { toGlobalId } from '../../shared/ids';
import { Claim } from '../claim/claim.entity';
import { Article } from '../article/article.entity';
import { Source } from '../source/source.entity';
import { User } from '../user/user.entity';
import { ratingLabel, type Rating } from '../verdict/rating';
import { RATINGS, SOURCINGS, STATUSES } from './report.figures';
import { queryFromFilter } from './report.filter';
import { EXPORT_FORMATS } from './formats';
import {
  AgreementLevel,
  ArticleSourcingType,
  RatingCount,
  ReportEvidenceType,
  ReportVerdictType,
  ReviewerAgreement,
  ReviewerFigures,
  SourcingCount,
  StatusCount,
  VerdictReport,
  VerdictReportDownloads,
  VerdictReportFilter,
  VerdictReportRow,
  filterInput,
} from './report.types';

export const VerdictReportRowConnection = connectionType(VerdictReportRow, 'VerdictReportRow');

const ratingCounts = (counts: Record<Rating, number>): RatingCount[] =>
  RATINGS.map((rating) => ({ rating, label: ratingLabel(rating), count: counts[rating] }));

@Resolver(() => VerdictReport)
export class ReportResolver {
  @Query(() => VerdictReport, { description: 'A verdict report of one of your teams: rows and aggregate figures (any member).' })
  async verdictReport(@Arg('filter', () => VerdictReportFilter) filter: VerdictReportFilter, @Ctx() context: Context): Promise<VerdictReport> {
    const input = filterInput(filter);
    return new VerdictReport(input, await context.services.reports.scope(input));
  }

  @FieldResolver(() => VerdictReportRowConnection, {
    description: 'The claims in report order: by article publication date (undated last), then position in the text.',
  })
  async rows(
    @Root() report: VerdictReport,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() context: Context,
  ): Promise<ConnectionResult<VerdictReportRow>> {
    const result = await context.services.reports.rows(report.scope, args);
    return new ConnectionResult(
      result.edges.map((edge) => ({ cursor: edge.cursor, node: new VerdictReportRow(edge.node) })),
      result.pageInfo,
      () => result.totalCount(),
    );
  }

  @FieldResolver(() => Int, { description: 'Claims in the report.' })
  async totalCount(@Root() report: VerdictReport, @Ctx() context: Context): Promise<number> {
    return (await context.services.reports.claimCounts(report.scope)).total;
  }

  @FieldResolver(() => [StatusCount])
  async byStatus(@Root() report: VerdictReport, @Ctx() context: Context): Promise<StatusCount[]> {
    const counts = await context.services.reports.claimCounts(report.scope);
    return STATUSES.map((status) => ({ status, count: counts.byStatus[status] }));
  }

  @FieldResolver(() => [SourcingCount], { description: 'Sourced (named), anonymous and unsourced claims.' })
  async bySourcing(@Root() report: VerdictReport, @Ctx() context: Context): Promise<SourcingCount[]> {
    const counts = await context.services.reports.claimCounts(report.scope);
    return SOURCINGS.map((sourcing) => ({ sourcing, count: counts.bySourcing[sourcing] }));
  }

  @FieldResolver(() => [RatingCount], { description: "Current verdicts on the report's claims, by rating (every reviewer's verdict counts)." })
  async byRating(@Root() report: VerdictReport, @Ctx() context: Context): Promise<RatingCount[]> {
    return ratingCounts((await context.services.reports.verdictCounts(report.scope)).byRating);
  }

  @FieldResolver(() => Int, { description: "Current verdicts on the report's claims." })
  async verdictCount(@Root() report: VerdictReport, @Ctx() context: Context): Promise<number> {
    return (await context.services.reports.verdictCounts(report.scope)).total;
  }

  @FieldResolver(() => Int, { description: 'Published claims in the report.' })
  async publishedCount(@Root() report: VerdictReport, @Ctx() context: Context): Promise<number> {
    return (await context.services.reports.claimCounts(report.scope)).published;
  }

  @FieldResolver(() => [RatingCount], { description: 'Published claims by their published rating.' })
  async byPublishedRating(@Root() report: VerdictReport, @Ctx() context: Context): Promise<RatingCount[]> {
    return ratingCounts((await context.services.reports.claimCounts(report.scope)).byPublishedRating);
  }

  @FieldResolver(() => [ReviewerFigures], { description: 'Per reviewer, most verdicts first.' })
  async byReviewer(@Root() report: VerdictReport, @Ctx() context: Context): Promise<ReviewerFigures[]> {
    const counts = await context.services.reports.verdictCounts(report.scope);
    return counts.byReviewer.map((reviewer) =>
      Object.assign(new ReviewerFigures(), {
        reviewerId: reviewer.reviewerId,
        reviewerName: reviewer.reviewerName,
        verdicts: reviewer.verdicts,
        byRating: ratingCounts(reviewer.byRating),
      }),
    );
  }

  @FieldResolver(() => [ReviewerAgreement], { description: "Krippendorff's alpha, nominal and ordinal." })
  async agreement(@Root() report: VerdictReport, @Ctx() context: Context): Promise<ReviewerAgreement[]> {
    const figures = await context.services.reports.agreement(report.scope);
    return figures.map((figure) => ({
      method: figure.method,
      level: figure.level === 'nominal' ? AgreementLevel.NOMINAL : AgreementLevel.ORDINAL,
      alpha: figure.alpha,
      units: figure.units,
      pairableValues: figure.pairableValues,
      categories: figure.categories,
    }));
  }

  @FieldResolver(() => Float, {
    nullable: true,
    description: "Median seconds from a claim's creation to its first SETTLED status, over the claims SETTLED now.",
  })
  async medianSecondsToSettle(@Root() report: VerdictReport, @Ctx() context: Context): Promise<number | null> {
    return (await context.services.reports.settleTime(report.scope)).medianSeconds;
  }

  @FieldResolver(() => Int, { description: 'SETTLED claims the median is taken over.' })
  async settledCount(@Root() report: VerdictReport, @Ctx() context: Context): Promise<number> {
    return (await context.services.reports.settleTime(report.scope)).settled;
  }

  @FieldResolver(() => [ArticleSourcingType], { description: 'Sourcing per article, the articles with most claims first.' })
  async sourcingByArticle(
    @Root() report: VerdictReport,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Ctx() context: Context,
  ): Promise<ArticleSourcingType[]> {
    const { rows } = await context.services.reports.sourcingByArticle(report.scope, first);
    return rows.map((row) =>
      Object.assign(new ArticleSourcingType(), {
        articleId: row.articleId,
        title: row.title,
        claims: row.claims,
        sourced: row.bySourcing.SOURCED,
        anonymous: row.bySourcing.ANONYMOUS,
        unsourced: row.bySourcing.UNSOURCED,
      }),
    );
  }

  @FieldResolver(() => VerdictReportDownloads)
  downloads(@Root() report: VerdictReport): VerdictReportDownloads {
    const query = queryFromFilter(report.input).toString();
    const path = (format: keyof typeof EXPORT_FORMATS): string => `/exports/${EXPORT_FORMATS[format].fileName}?${query}`;
    return { csv: path('csv'), jsonLines: path('jsonl'), claimReview: path('claimreview'), html: path('html') };
  }
}

@Resolver(() => VerdictReportRow)
export class VerdictReportRowResolver {
  @FieldResolver(() => Claim)
  claim(@Root() row: VerdictReportRow, @Ctx() context: Context): Promise<Claim> {
    return context.services.claims.get(row.row.claimId);
  }

  @FieldResolver(() => Article)
  article(@Root() row: VerdictReportRow, @Ctx() context: Context): Promise<Article> {
    return context.services.articles.get(row.row.article.id);
  }

  @FieldResolver(() => Source, { nullable: true })
  speaker(@Root() row: VerdictReportRow, @Ctx() context: Context): Promise<Source | null> | null {
    return row.row.speaker ? context.loaders.entity(Source).load(row.row.speaker.id) : null;
  }

  @FieldResolver(() => [ReportVerdictType], { description: "Each reviewer's current verdict, oldest first." })
  verdicts(@Root() row: VerdictReportRow): ReportVerdictType[] {
    return row.row.verdicts.map((verdict) => ReportVerdictType.from(verdict, toGlobalId('Verdict', verdict.id)));
  }

  @FieldResolver(() => [ReportEvidenceType])
  evidence(@Root() row: VerdictReportRow): ReportEvidenceType[] {
    return row.row.evidence.map((evidence) => ReportEvidenceType.from(evidence, toGlobalId('Evidence', evidence.id)));
  }
}

@Resolver(() => ReportVerdictType)
export class ReportVerdictResolver {
  @FieldResolver(() => User)
  async reviewer(@Root() verdict: ReportVerdictType, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(verdict.reviewerId))!;
  }
}

@Resolver(() => ReviewerFigures)
export class ReviewerFiguresResolver {
  @FieldResolver(() => User)
  async reviewer(@Root() figures: ReviewerFigures, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(figures.reviewerId))!;
  }
}

@Resolver(() => ArticleSourcingType)
export class ArticleSourcingResolver {
  @FieldResolver(() => Article)
  article(@Root() figures: ArticleSourcingType, @Ctx() context: Context): Promise<Article> {
    return context.services.articles.get(figures.articleId);
  }
}

export const reportResolvers = [ReportResolver, VerdictReportRowResolver, ReportVerdictResolver, ReviewerFiguresResolver, ArticleSourcingResolver] as const;
