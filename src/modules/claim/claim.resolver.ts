import { Arg, Args, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { Article } from '../article/article.entity';
import { ArticleRevision } from '../article/article-revision.entity';
import { Source } from '../source/source.entity';
import { Evidence } from '../evidence/evidence.entity';
import { Verdict } from '../verdict/verdict.entity';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Claim } from './claim.entity';
import { ClaimPayload, ClaimsArgs, CreateClaimInput, SimilarClaim, DeleteClaimInput, SetClaimSpeakerInput, UpdateClaimInput } from './claim.inputs';

export const ClaimConnection = connectionType(Claim, 'Claim');
export const EvidenceConnection = connectionType(Evidence, 'Evidence');
export const VerdictConnection = connectionType(Verdict, 'Verdict');

@Resolver(() => Claim)
export class ClaimResolver {
  @Query(() => ClaimConnection, { description: 'Claims of your teams, filtered and sorted.' })
  claims(@Args(() => ClaimsArgs) args: ClaimsArgs, @Ctx() context: Context): Promise<ConnectionResult<Claim>> {
    return context.services.claims.list(args.filter, args.sort, args);
  }

  @Query(() => Claim)
  claim(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<Claim> {
    return context.services.claims.getByGlobalId(id);
  }

  @Mutation(() => ClaimPayload, { description: 'Marks words of the current revision as a claim (EDITOR).' })
  async createClaim(@Arg('input', () => CreateClaimInput) input: CreateClaimInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claims.create(input) };
  }

  @Mutation(() => ClaimPayload, { description: 'Changes a claim (EDITOR); needs the version you read.' })
  async updateClaim(@Arg('input', () => UpdateClaimInput) input: UpdateClaimInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claims.update(input) };
  }

  @Mutation(() => ClaimPayload, { description: 'Soft-deletes a claim (EDITOR); it stays in history.' })
  async deleteClaim(@Arg('input', () => DeleteClaimInput) input: DeleteClaimInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claims.delete(input) };
  }

  @Mutation(() => ClaimPayload, { description: 'Sets or clears who made the claim (EDITOR).' })
  async setClaimSpeaker(@Arg('input', () => SetClaimSpeakerInput) input: SetClaimSpeakerInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claims.setSpeaker(input) };
  }

  @FieldResolver(() => Article)
  article(@Root() claim: Claim, @Ctx() context: Context): Promise<Article> {
    return context.services.articles.get(claim.articleId);
  }

  @FieldResolver(() => ArticleRevision, { description: 'The revision the anchor refers to.' })
  async revision(@Root() claim: Claim, @Ctx() context: Context): Promise<ArticleRevision> {
    return (await context.loaders.entity(ArticleRevision).load(claim.revisionId))!;
  }

  @FieldResolver(() => Source, { nullable: true })
  speaker(@Root() claim: Claim, @Ctx() context: Context): Source | Promise<Source | null> | null {
    if (!claim.speakerId) return null;
    return context.loaders.peek(Source, claim.speakerId) ?? context.loaders.entity(Source).load(claim.speakerId);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() claim: Claim, @Ctx() context: Context): Promise<User | null> {
    return context.loaders.entity(User, false).load(claim.createdBy);
  }

  @FieldResolver(() => EvidenceConnection)
  evidence(@Root() claim: Claim, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Evidence>> {
    return context.services.evidence.forClaim(claim, args);
  }

  @FieldResolver(() => VerdictConnection, { description: 'Current verdicts, oldest first; `includeWithdrawn` adds withdrawn ones.' })
  verdicts(
    @Root() claim: Claim,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('includeWithdrawn', () => Boolean, { defaultValue: false }) includeWithdrawn: boolean,
    @Ctx() context: Context,
  ): Promise<ConnectionResult<Verdict>> {
    return context.services.verdicts.forClaim(claim, args, includeWithdrawn);
  }

  @FieldResolver(() => Verdict, { nullable: true, description: 'Your current verdict on this claim.' })
  viewerVerdict(@Root() claim: Claim, @Ctx() context: Context): Promise<Verdict | null> {
    return context.services.verdicts.viewerVerdict(claim);
  }

  @FieldResolver(() => [SimilarClaim], { description: "The team's claims with similar wording (trigram similarity), with their status and published verdict." })
  similarClaims(
    @Root() claim: Claim,
    @Arg('first', () => Int, { defaultValue: 10 }) first: number,
    @Arg('minSimilarity', () => Float, { defaultValue: 0.45 }) minSimilarity: number,
    @Ctx() context: Context,
  ): Promise<SimilarClaim[]> {
    return context.services.claims.similar(claim, first, minSimilarity);
  }

  @FieldResolver(() => Claim, { nullable: true, description: 'At import: the already reviewed claim this candidate repeats.' })
  repeatOf(@Root() claim: Claim, @Ctx() context: Context): Promise<Claim | null> | null {
    return claim.repeatOfId ? context.services.claims.get(claim.repeatOfId).catch(() => null) : null;
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Changes to the claim itself, newest first.' })
  history(@Root() claim: Claim, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: claim.id }, claim.teamId, args);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Everything that happened on this claim: its own changes, verdicts, evidence, comments.' })
  activity(@Root() claim: Claim, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ claimId: claim.id }, claim.teamId, args);
  }
}
