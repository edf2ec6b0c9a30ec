import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { Claim } from '../claim/claim.entity';
import { User } from '../user/user.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { Comment } from './comment.entity';
import { AddCommentInput, CommentPayload, DeleteCommentInput, EditCommentInput } from './comment.inputs';

export const CommentConnection = connectionType(Comment, 'Comment');

@Resolver(() => Comment)
export class CommentResolver {
  @Mutation(() => CommentPayload, { description: 'Comments on a claim, or replies to a comment on it (REVIEWER).' })
  async addComment(@Arg('input', () => AddCommentInput) input: AddCommentInput, @Ctx() context: Context): Promise<CommentPayload> {
    return { comment: await context.services.comments.add(input) };
  }

  @Mutation(() => CommentPayload, { description: 'Changes your comment; the earlier text stays in history.' })
  async editComment(@Arg('input', () => EditCommentInput) input: EditCommentInput, @Ctx() context: Context): Promise<CommentPayload> {
    return { comment: await context.services.comments.edit(input) };
  }

  @Mutation(() => CommentPayload, { description: 'Deletes a comment (its author, or an EDITOR); it stays in history.' })
  async deleteComment(@Arg('input', () => DeleteCommentInput) input: DeleteCommentInput, @Ctx() context: Context): Promise<CommentPayload> {
    return { comment: await context.services.comments.delete(input) };
  }

  @FieldResolver(() => User)
  async author(@Root() comment: Comment, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.entity(User, false).load(comment.authorId))!;
  }

  @FieldResolver(() => Claim)
  async claim(@Root() comment: Comment, @Ctx() context: Context): Promise<Claim> {
    return (await context.loaders.entity(Claim).load(comment.claimId))!;
  }

  @FieldResolver(() => Comment, { nullable: true, description: 'The comment this one answers.' })
  parent(@Root() comment: Comment, @Ctx() context: Context): Promise<Comment | null> | null {
    return comment.parentId ? context.loaders.entity(Comment).load(comment.parentId) : null;
  }

  @FieldResolver(() => CommentConnection, { description: 'Answers to this comment, oldest first.' })
  replies(@Root() comment: Comment, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<Comment>> {
    return context.services.comments.replies(comment, args);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Posting, every edit (with the text before and after) and deletion; newest first.' })
  history(@Root() comment: Comment, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: comment.id }, comment.teamId, args);
  }
}
