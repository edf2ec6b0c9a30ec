import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { Context } from '../../shared/context';
import { ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { User } from '../user/user.entity';
import { Evidence } from '../evidence/evidence.entity';
import { Comment } from '../comment/comment.entity';
import { CommentConnection } from '../comment/comment.resolver';
import { Assignment } from '../assignment/assignment.entity';
import { AssignmentConnection } from '../assignment/assignment.resolver';
import { Claim } from './claim.entity';
import { ClaimPayload } from './claim.inputs';
import {
  ConfirmClaimTextInput,
  MarkClaimDisputedInput,
  PublishClaimInput,
  PublishedVerdict,
  ResolveClaimDisputeInput,
  UnpublishClaimInput,
} from './claim-workflow.inputs';

@Resolver(() => Claim)
export class ClaimWorkflowResolver {
  @Mutation(() => ClaimPayload, { description: 'Marks the claim DISPUTED with a reason, whatever the verdicts say, until resolved (EDITOR).' })
  async markClaimDisputed(@Arg('input', () => MarkClaimDisputedInput) input: MarkClaimDisputedInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claimWorkflow.markDisputed(input) };
  }

  @Mutation(() => ClaimPayload, { description: "Lifts an editor's dispute mark; status follows the verdicts again (EDITOR)." })
  async resolveClaimDispute(@Arg('input', () => ResolveClaimDisputeInput) input: ResolveClaimDisputeInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claimWorkflow.resolveDispute(input) };
  }

  @Mutation(() => ClaimPayload, {
    description:
      "Publishes the desk's final verdict (EDITOR); verdicts are frozen until it is unpublished. " +
      'A claim that is not SETTLED needs `override: true` and a reason (NOT_SETTLED otherwise).',
  })
  async publishClaim(@Arg('input', () => PublishClaimInput) input: PublishClaimInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claimWorkflow.publish(input) };
  }

  @Mutation(() => ClaimPayload, {
    description: "Confirms that the claim's verdicts still hold for its changed words (EDITOR): lifts NEEDS_REREVIEW, with the reason in history.",
  })
  async confirmClaimText(@Arg('input', () => ConfirmClaimTextInput) input: ConfirmClaimTextInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claimWorkflow.confirmText(input) };
  }

  @Mutation(() => ClaimPayload, { description: 'Withdraws the published verdict (EDITOR); it stays in history.' })
  async unpublishClaim(@Arg('input', () => UnpublishClaimInput) input: UnpublishClaimInput, @Ctx() context: Context): Promise<ClaimPayload> {
    return { claim: await context.services.claimWorkflow.unpublish(input) };
  }

  @FieldResolver(() => PublishedVerdict, { nullable: true, description: "The desk's published verdict; null while unpublished." })
  published(@Root() claim: Claim, @Ctx() context: Context): PublishedVerdict | null {
    return context.services.claimWorkflow.published(claim);
  }

  @FieldResolver(() => Claim, {
    nullable: true,
    description: 'The claim as it stood at `at`, rebuilt from history (null before it existed). Its `verdicts` and `viewerVerdict` are of that instant too.',
  })
  asOf(@Root() claim: Claim, @Arg('at', () => DateTimeResolver) at: Date, @Ctx() context: Context): Promise<Claim | null> {
    return context.services.asOf.claim(claim, at);
  }

  @FieldResolver(() => CommentConnection, { description: "Top-level comments, oldest first; answers are under each comment's `replies`." })
  comments(@Root() claim: Claim, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Comment>> {
    return context.services.comments.forClaim(claim, args);
  }

  @FieldResolver(() => AssignmentConnection, { description: 'Open assignments, oldest first; `includeClosed` adds completed and cancelled ones.' })
  assignments(
    @Root() claim: Claim,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('includeClosed', () => Boolean, { defaultValue: false }) includeClosed: boolean,
    @Ctx() context: Context,
  ): Promise<ConnectionResult<Assignment>> {
    return context.services.assignments.forClaim(claim, args, includeClosed);
  }
}

@Resolver(() => PublishedVerdict)
export class PublishedVerdictResolver {
  @FieldResolver(() => User)
  async publishedBy(@Root() published: PublishedVerdict, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(published.publishedById))!;
  }

  @FieldResolver(() => [Evidence], { description: 'The evidence cited when it was published, in that order (also if since removed).' })
  async evidence(@Root() published: PublishedVerdict, @Ctx() context: Context): Promise<Evidence[]> {
    const rows = await context.loaders.entity(Evidence).loadMany(published.evidenceIds);
    return rows.filter((row): row is Evidence => row instanceof Evidence);
  }
}
