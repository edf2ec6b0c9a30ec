import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import type { ConnectionResult } from '../../shared/pagination';
import { Source } from '../source/source.entity';
import { Claim } from '../claim/claim.entity';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Evidence } from './evidence.entity';
import { AddEvidenceInput, EvidencePayload, RemoveEvidenceInput } from './evidence.inputs';

@Resolver(() => Evidence)
export class EvidenceResolver {
  @Mutation(() => EvidencePayload, { description: 'Cites evidence for or against a claim (REVIEWER).' })
  addEvidence(@Arg('input', () => AddEvidenceInput) input: AddEvidenceInput, @Ctx() context: Context): Promise<EvidencePayload> {
    return context.services.evidence.add(input);
  }

  @Mutation(() => EvidencePayload, { description: 'Takes evidence off a claim (its author, or an EDITOR); the record stays.' })
  removeEvidence(@Arg('input', () => RemoveEvidenceInput) input: RemoveEvidenceInput, @Ctx() context: Context): Promise<EvidencePayload> {
    return context.services.evidence.remove(input);
  }

  @FieldResolver(() => Claim)
  claim(@Root() evidence: Evidence, @Ctx() context: Context): Promise<Claim> {
    return context.services.claims.get(evidence.claimId);
  }

  @FieldResolver(() => Source, { nullable: true })
  source(@Root() evidence: Evidence, @Ctx() context: Context): Source | Promise<Source | null> | null {
    if (!evidence.sourceId) return null;
    return context.loaders.peek(Source, evidence.sourceId) ?? context.loaders.entity(Source).load(evidence.sourceId);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() evidence: Evidence, @Ctx() context: Context): Promise<User | null> {
    return context.loaders.entity(User, false).load(evidence.createdBy);
  }

  @FieldResolver(() => HistoryEventConnection)
  history(@Root() evidence: Evidence, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: evidence.id }, evidence.teamId, args);
  }
}
