import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { nestedConnection } from '../../shared/nested-connection';
import { versionedUpdate } from '../../shared/versioned-update';
import { optionalReason } from '../../shared/text';
import { validDate } from '../../shared/values';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import type { Role } from '../team/role';
import { authorize, can } from '../team/permissions';
import type { Claim } from '../claim/claim.entity';
import type { User } from '../user/user.entity';
import { Assignment } from './assignment.entity';
import type { AssignReviewerInput, AssignmentFilter, CancelAssignmentInput, ReassignReviewerInput } from './assignment.inputs';

export const ASSIGNMENT_FIELDS = ['claimId', 'reviewerId', 'assignedBy', 'dueAt', 'version', 'completedAt', 'cancelledAt'] as const;

const OPEN = 'completed_at IS NULL AND cancelled_at IS NULL';

export class AssignmentService {
  constructor(private readonly context: Context) {}

  async get(assignmentId: string): Promise<Assignment> {
    return loadTeamRow(this.context, Assignment, assignmentId, 'Assignment');
  }

  getByGlobalId(globalId: string, field = 'id'): Promise<Assignment> {
    return this.get(fromGlobalId(globalId, 'Assignment', field));
  }

  /** A reviewer's queue (within the caller's teams): soonest due first, undated last, then oldest. */
  async forUser(user: User, filter: AssignmentFilter | null | undefined, args: ConnectionArgs): Promise<ConnectionResult<Assignment>> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const query = manager
      .createQueryBuilder(Assignment, 'assignment')
      .where('assignment.reviewer_id = :userId AND assignment.team_id = ANY(:teamIds)', { userId: user.id, teamIds: actor.teamIds })
      // a deleted claim's assignments leave the queue with it
      .andWhere('EXISTS (SELECT 1 FROM claims claim WHERE claim.id = assignment.claim_id AND claim.deleted_at IS NULL)');
    const open = `(assignment.completed_at IS NULL AND assignment.cancelled_at IS NULL)`;
    const overdue = `(${open} AND assignment.due_at < now())`;
    if (filter?.open === true) query.andWhere(open);
    if (filter?.open === false) query.andWhere(`NOT ${open}`);
    if (filter?.overdue === true) query.andWhere(overdue);
    if (filter?.overdue === false) query.andWhere(`NOT coalesce(${overdue}, false)`);
    return paginate(
      query,
      [
        { expression: `coalesce(assignment.due_at, 'infinity'::timestamptz)`, direction: 'ASC', type: 'timestamptz' },
        { expression: 'assignment.created_at', direction: 'ASC', type: 'timestamptz' },
        { expression: 'assignment.id', direction: 'ASC', type: 'uuid' },
      ],
      args,
    );
  }

  forClaim(claim: Claim, args: ConnectionArgs, includeClosed: boolean): Promise<ConnectionResult<Assignment>> {
    return nestedConnection(
      this.context.db,
      this.context.loaders,
      {
        name: includeClosed ? 'Claim.assignments:all' : 'Claim.assignments',
        entity: Assignment,
        table: 'assignments',
        parentColumn: 'claim_id',
        filter: includeClosed ? undefined : `t.completed_at IS NULL AND t.cancelled_at IS NULL`,
        sort: [
          { expression: 't.created_at', direction: 'ASC', type: 'timestamptz' },
          { expression: 't.id', direction: 'ASC', type: 'uuid' },
        ],
      },
      claim.id,
      args,
    );
  }

  async assign(input: AssignReviewerInput): Promise<Assignment> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, claim.teamId, 'claim.review', 'Claim');
    if (claim.publishedAt) {
      throw new DomainError(ErrorCode.PUBLISHED, 'The claim is published; unpublish it before assigning reviewers');
    }
    const reviewerId = await this.reviewer(claim.teamId, input.reviewerId, 'reviewerId');
    const dueAt = futureDate(input.dueAt, 'dueAt');
    // A second open assignment for the same reviewer and claim fails on assignments_open_key
    // (ALREADY_EXISTS), also when two editors assign at once.
    const assignment = await this.context.db.transaction((manager) =>
      insertWithHistory(
        manager,
        Assignment,
        {
          teamId: claim.teamId,
          claimId: claim.id,
          reviewerId,
          assignedBy: actor.userId,
          dueAt,
          version: 1,
        },
        (created) => ({
          teamId: claim.teamId,
          actorId: actor.userId,
          entityType: 'Assignment',
          entityId: created.id,
          claimId: claim.id,
          articleId: claim.articleId,
          action: 'ASSIGN',
          after: snapshot(created, ASSIGNMENT_FIELDS),
        }),
      ),
    );
    this.context.loaders.clear();
    return assignment;
  }

  async reassign(input: ReassignReviewerInput): Promise<Assignment> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.assignmentId, 'assignmentId');
    authorize(actor, current.teamId, 'claim.review', 'Assignment');
    requireOpen(current);
    const changes: Partial<Assignment> = {};
    if (input.reviewerId != null) {
      const reviewerId = await this.reviewer(current.teamId, input.reviewerId, 'reviewerId');
      if (reviewerId !== current.reviewerId) changes.reviewerId = reviewerId;
    }
    if (input.dueAt !== undefined) changes.dueAt = futureDate(input.dueAt, 'dueAt');
    if (Object.keys(changes).length === 0) throw badInput('Give a new reviewerId or dueAt', 'reviewerId');
    return this.write(current, input.expectedVersion, changes, 'REASSIGN', null);
  }

  async cancel(input: CancelAssignmentInput): Promise<Assignment> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.assignmentId, 'assignmentId');
    authorize(actor, current.teamId, 'claim.review', 'Assignment');
    requireOpen(current);
    const reason = optionalReason(input.reason);
    return this.write(current, input.expectedVersion, { cancelledAt: new Date() }, 'CANCEL', reason);
  }

  // A verdict completes the reviewer's open assignment on the claim: claimgraph_submit_verdict does
  // it (and records COMPLETE in history) in the verdict's own statement.

  private async write(current: Assignment, expectedVersion: number, changes: Partial<Assignment>, action: string, reason: string | null): Promise<Assignment> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.get(current.claimId);
    const updated = await this.context.db.transaction(async (manager) => {
      const { before, after } = await versionedUpdate(manager, Assignment, 'Assignment', current.id, expectedVersion, changes, OPEN);
      await recordHistory(manager, {
        teamId: after.teamId,
        actorId: actor.userId,
        entityType: 'Assignment',
        entityId: after.id,
        claimId: claim.id,
        articleId: claim.articleId,
        action,
        reason,
        ...diff(before, after, ASSIGNMENT_FIELDS),
      });
      return after;
    });
    this.context.loaders.clear();
    return updated;
  }

  /** The raw id of a team member who may review; another team's user is NOT_FOUND like a missing one. */
  private async reviewer(teamId: string, globalId: string, field: string): Promise<string> {
    const userId = fromGlobalId(globalId, 'User', field);
    const rows = await this.context.db.query<{ role: Role }>('SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2', [teamId, userId]);
    if (rows.length === 0) throw notFound('User');
    if (!can(rows[0].role, 'verdict.write')) {
      throw badInput(`Only members who may give verdicts (REVIEWER or higher) can be assigned; this one is ${rows[0].role}`, field);
    }
    return userId;
  }
}

function requireOpen(assignment: Assignment): void {
  if (assignment.completedAt || assignment.cancelledAt) {
    throw badInput(`The assignment is already ${assignment.completedAt ? 'completed' : 'cancelled'}`, 'assignmentId');
  }
}

function futureDate(value: Date | null | undefined, field: string): Date | null {
  const date = validDate(value, field);
  if (date && date.getTime() <= Date.now()) throw badInput(`${field} must lie in the future`, field);
  return date;
}
