import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Comment } from './comment.entity';

@InputType()
export class AddCommentInput {
  @Field(() => ID) claimId: string;
  @Field(() => String) body: string;
  @Field(() => ID, { nullable: true, description: 'Reply to this comment (on the same claim).' }) parentId?: string | null;
}

@InputType()
export class EditCommentInput {
  @Field(() => ID) commentId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String) body: string;
}

@InputType()
export class DeleteCommentInput {
  @Field(() => ID) commentId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) reason?: string | null;
}

@ObjectType()
export class CommentPayload {
  @Field(() => Comment) comment: Comment;
}
