import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { Claim } from '../claim/claim.entity';
import { ExternalVerdict, ImportClaimReviewsInput, ImportClaimReviewsPayload, toExternalVerdict } from './claim-review-import.types';

@Resolver(() => Claim)
export class ClaimReviewImportResolver {
  @Mutation(() => ImportClaimReviewsPayload, {
    description: "Imports other organisations' ClaimReviews (JSON-LD) as claims with their external verdict (EDITOR); all or nothing.",
  })
  importClaimReviews(@Arg('input', () => ImportClaimReviewsInput) input: ImportClaimReviewsInput, @Ctx() context: Context): Promise<ImportClaimReviewsPayload> {
    return context.services.claimReviewImports.import(input);
  }

  @FieldResolver(() => ExternalVerdict, { nullable: true, description: "Another organisation's verdict, for claims imported from its ClaimReview." })
  externalVerdict(@Root() claim: Claim): ExternalVerdict | null {
    return claim.externalReview ? toExternalVerdict(claim.externalReview) : null;
  }
}
