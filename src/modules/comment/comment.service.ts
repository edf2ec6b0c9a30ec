import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import type { ConnectionArgs, ConnectionResult } from '../../shared/pagination';
import { nestedConnection } from '../../shared/nested-connection';
import { versionedUpdate } from '../../shared/versioned-update';
import { optionalReason, requiredText } from '../../shared/text';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { authorize, can } from '../team/permissions';
import type { Claim } from '../claim/claim.entity';
import { Comment } from './comment.entity';
import type { AddCommentInput, DeleteCommentInput, EditCommentInput } from './comment.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

export const COMMENT_FIELDS = ['claimId', 'parentId', 'authorId', 'body', 'version', 'deletedAt'] as const;

/**
 * A deleted comment stays in its thread as a placeholder while it has replies, so answers keep
 * their context; without replies it leaves the list.
 */
const VISIBLE = '(t.deleted_at IS NULL OR EXISTS (SELECT 1 FROM comments reply WHERE reply.parent_id = t.id))';

export class CommentService {
  constructor(private readonly context: Context) {}

  async get(commentId: string): Promise<Comment> {
    return loadTeamRow(this.context, Comment, commentId, 'Comment');
  }

  getByGlobalId(globalId: string, field = 'id'): Promise<Comment> {
    return this.get(fromGlobalId(globalId, 'Comment', field));
  }

  /** Top-level comments of a claim, oldest first. */
  forClaim(claim: Claim, args: ConnectionArgs): Promise<ConnectionResult<Comment>> {
    return nestedConnection(
      this.context.db,
      this.context.loaders,
      {
        name: 'Claim.comments',
        entity: Comment,
        table: 'comments',
        parentColumn: 'claim_id',
        filter: `t.parent_id IS NULL AND ${VISIBLE}`,
        sort: [
          { expression: 't.created_at', direction: 'ASC', type: 'timestamptz' },
          { expression: 't.id', direction: 'ASC', type: 'uuid' },
        ],
      },
      claim.id,
      args,
    );
  }

  replies(comment: Comment, args: ConnectionArgs): Promise<ConnectionResult<Comment>> {
    return nestedConnection(
      this.context.db,
      this.context.loaders,
      {
        name: 'Comment.replies',
        entity: Comment,
        table: 'comments',
        parentColumn: 'parent_id',
        filter: VISIBLE,
        sort: [
          { expression: 't.created_at', direction: 'ASC', type: 'timestamptz' },
          { expression: 't.id', direction: 'ASC', type: 'uuid' },
        ],
      },
      comment.id,
      args,
    );
  }

  async add(input: AddCommentInput): Promise<Comment> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.getByGlobalId(input.claimId, 'claimId');
    authorize(actor, claim.teamId, 'comment.write', 'Claim');
    const body = requiredText(input.body, 'body', TEXT_LIMITS.comment.max);
    let parentId: string | null = null;
    if (input.parentId != null) {
      const parent = await this.getByGlobalId(input.parentId, 'parentId');
      if (parent.claimId !== claim.id) throw badInput('parentId must be a comment on the same claim', 'parentId');
      if (parent.deletedAt) throw badInput('You cannot reply to a deleted comment', 'parentId');
      parentId = parent.id;
    }
    const comment = await this.context.db.transaction((manager) =>
      insertWithHistory(manager, Comment, { teamId: claim.teamId, claimId: claim.id, parentId, authorId: actor.userId, body, version: 1 }, (created) => ({
        teamId: claim.teamId,
        actorId: actor.userId,
        entityType: 'Comment',
        entityId: created.id,
        claimId: claim.id,
        articleId: claim.articleId,
        action: 'CREATE',
        after: snapshot(created, COMMENT_FIELDS),
      })),
    );
    this.context.loaders.clear();
    return comment;
  }

  /** Only the author edits; the earlier text stays in the comment's history. */
  async edit(input: EditCommentInput): Promise<Comment> {
    const actor = requireActor(this.context);
    const current = await this.live(input.commentId);
    authorize(actor, current.teamId, 'comment.write', 'Comment');
    if (current.authorId !== actor.userId) throw new DomainError(ErrorCode.FORBIDDEN, 'Only the author may edit a comment');
    const body = requiredText(input.body, 'body', TEXT_LIMITS.comment.max);
    return this.write(current, input.expectedVersion, { body }, 'EDIT', null);
  }

  /** Soft: the row and its history stay; the text is no longer shown. */
  async delete(input: DeleteCommentInput): Promise<Comment> {
    const actor = requireActor(this.context);
    const current = await this.live(input.commentId);
    const role = authorize(actor, current.teamId, 'comment.write', 'Comment');
    // moderating others' comments goes with editing the claims themselves
    if (current.authorId !== actor.userId && !can(role, 'claim.write')) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only the author or an editor may delete a comment');
    }
    const reason = optionalReason(input.reason);
    return this.write(current, input.expectedVersion, { deletedAt: new Date() }, 'DELETE', reason);
  }

  private async live(globalId: string): Promise<Comment> {
    const comment = await this.getByGlobalId(globalId, 'commentId');
    if (comment.deletedAt) throw notFound('Comment');
    return comment;
  }

  private async write(current: Comment, expectedVersion: number, changes: Partial<Comment>, action: string, reason: string | null): Promise<Comment> {
    const actor = requireActor(this.context);
    const claim = await this.context.services.claims.get(current.claimId);
    const updated = await this.context.db.transaction(async (manager) => {
      const { before, after } = await versionedUpdate(manager, Comment, 'Comment', current.id, expectedVersion, changes, 'deleted_at IS NULL');
      await recordHistory(manager, {
        teamId: after.teamId,
        actorId: actor.userId,
        entityType: 'Comment',
        entityId: after.id,
        claimId: claim.id,
        articleId: claim.articleId,
        action,
        reason,
        ...diff(before, after, COMMENT_FIELDS),
      });
      return after;
    });
    this.context.loaders.clear();
    return updated;
  }
}
