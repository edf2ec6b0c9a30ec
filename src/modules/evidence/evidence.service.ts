import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { authorize, can } from '../team/permissions';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import type { ConnectionArgs, ConnectionResult } from '../../shared/pagination';
import { nestedConnection, type NestedConnectionSpec } from '../../shared/nested-connection';
import { optionalText, optionalReason } from '../../shared/text';
import { httpUrl } from '../../shared/values';
import { insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import type { Claim } from '../claim/claim.entity';
import { Evidence } from './evidence.entity';
import { Source } from '../source/source.entity';
import type { AddEvidenceInput, RemoveEvidenceInput } from './evidence.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

const EVIDENCE_FIELDS = ['claimId', 'sourceId', 'url', 'quotedPassage', 'stance', 'note', 'removedAt'] as const;

/** `Claim.evidence`, oldest first: the resolver's query and the SQL compiler's (src/http/sql-selection.ts). */
export const CLAIM_EVIDENCE: NestedConnectionSpec<Evidence> = {
  name: 'Claim.evidence',
  entity: Evidence,
  table: 'evidence',
  parentColumn: 'claim_id',
  filter: 't.removed_at IS NULL',
  sort: [
    { expression: 't.created_at', direction: 'ASC', type: 'timestamptz' },
    { expression: 't.id', direction: 'ASC', type: 'uuid' },
  ],
  include: [{ column: 'source_id', entity: Source, table: 'sources', teamScoped: true }],
};

export class EvidenceService {
  constructor(private readonly context: Context) {}

  async get(evidenceId: string): Promise<Evidence> {
    return loadTeamRow(this.context, Evidence, evidenceId, 'Evidence');
  }

  forClaim(claim: Claim, args: ConnectionArgs): Promise<ConnectionResult<Evidence>> {
    return nestedConnection(this.context.db, this.context.loaders, CLAIM_EVIDENCE, claim.id, args);
  }

  async add(input: AddEvidenceInput): Promise<{ evidence: Evidence; claim: Claim }> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, claim.teamId, 'evidence.write', 'Claim');
    const source = input.sourceId ? await this.context.services.sources.getByGlobalId(input.sourceId, 'sourceId', claim.teamId) : null;
    const values = {
      teamId: claim.teamId,
      claimId: claim.id,
      sourceId: source?.id ?? null,
      url: httpUrl(input.url, 'url'),
      quotedPassage: optionalText(input.quotedPassage, 'quotedPassage', TEXT_LIMITS.quotedPassage.max),
      stance: input.stance,
      note: optionalText(input.note, 'note', TEXT_LIMITS.note.max),
      createdBy: actor.userId,
    };
    if (!values.url && !values.sourceId && !values.quotedPassage) {
      throw badInput('Evidence needs at least one of url, sourceId or quotedPassage', 'url');
    }
    const evidence = await this.context.db.transaction((manager) =>
      insertWithHistory(manager, Evidence, values, (created) => ({
        teamId: claim.teamId,
        actorId: actor.userId,
        entityType: 'Evidence',
        entityId: created.id,
        claimId: claim.id,
        articleId: claim.articleId,
        action: 'ADD',
        after: snapshot(created, EVIDENCE_FIELDS),
      })),
    );
    this.context.loaders.clear();
    return { evidence, claim };
  }

  /** Removal keeps the row (and its history): evidence once cited stays on the record. */
  async remove(input: RemoveEvidenceInput): Promise<{ evidence: Evidence; claim: Claim }> {
    const actor = requireActor(this.context);
    const current = await this.get(fromGlobalId(input.evidenceId, 'Evidence', 'evidenceId'));
    const role = authorize(actor, current.teamId, 'evidence.write', 'Evidence');
    if (current.createdBy !== actor.userId && !can(role, 'claim.write')) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only its author or an editor may remove evidence');
    }
    if (current.removedAt) throw notFound('Evidence');
    const reason = optionalReason(input.reason);
    const claim = await this.context.services.claims.get(current.claimId);
    const evidence = await this.context.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(Evidence)
        .set({ removedAt: () => 'now()', removedBy: actor.userId })
        .where('id = :id AND removed_at IS NULL', { id: current.id })
        .execute();
      if (result.affected !== 1) throw notFound('Evidence');
      const after = await manager.findOneByOrFail(Evidence, { id: current.id });
      await recordHistory(manager, {
        teamId: current.teamId,
        actorId: actor.userId,
        entityType: 'Evidence',
        entityId: current.id,
        claimId: current.claimId,
        articleId: claim.articleId,
        action: 'REMOVE',
        reason,
        before: { removedAt: null },
        after: { removedAt: after.removedAt },
      });
      this.context.loaders.clear();
      return after;
    });
    return { evidence, claim };
  }
}
