import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Article } from './article.entity';
import { ArticleRevision } from './article-revision.entity';
import { Claim } from '../claim/claim.entity';

@InputType()
export class ReviseArticleInput {
  @Field(() => ID) articleId: string;
  @Field(() => String, { description: 'The corrected full text; becomes the next revision.' }) text: string;
  @Field(() => Int, { nullable: true, description: 'The revision number you edited; a newer one fails with VERSION_CONFLICT.' })
  expectedRevisionNumber?: number | null;
}

@ObjectType()
export class ReviseArticlePayload {
  @Field(() => Article) article: Article;
  @Field(() => ArticleRevision) revision: ArticleRevision;
  @Field(() => [Claim], { description: 'Claims placed on the new text (moved or unchanged).' }) anchored: Claim[];
  @Field(() => [Claim], { description: 'Claims whose words are gone or too changed: ORPHANED, never attached to other words.' })
  orphaned: Claim[];
}
