import { ArgsType, Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver, URLResolver } from 'graphql-scalars';
import { Article } from './article.entity';
import { ArticleRevision } from './article-revision.entity';
import { ConnectionArgs } from '../../shared/pagination';

@InputType()
export class CreateArticleInput {
  @Field(() => ID) teamId: string;
  @Field(() => String) title: string;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => String, { nullable: true }) outlet?: string | null;
  @Field(() => String, { nullable: true }) byline?: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) publishedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 tag; default `en`.' }) language?: string | null;
  @Field(() => String, { description: "The article's plain text; becomes revision 1." }) text: string;
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Store the article even if the team has one with the same URL or text (otherwise ALREADY_EXISTS with extensions.articleId).',
  })
  allowDuplicate?: boolean | null;
}

@ObjectType()
export class CreateArticlePayload {
  @Field(() => Article) article: Article;
  @Field(() => ArticleRevision) revision: ArticleRevision;
}

@InputType()
export class UpdateArticleInput {
  @Field(() => ID) articleId: string;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => String, { nullable: true }) outlet?: string | null;
  @Field(() => String, { nullable: true }) byline?: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) publishedAt?: Date | null;
  @Field(() => String, { nullable: true }) language?: string | null;
}

@ObjectType()
export class UpdateArticlePayload {
  @Field(() => Article) article: Article;
}

@InputType()
export class ArticleFilter {
  @Field(() => ID, { nullable: true, description: "Only this team's articles (default: all your teams)." })
  teamId?: string | null;
  @Field(() => String, { nullable: true, description: 'Words in the title, outlet or byline.' })
  text?: string | null;
  @Field(() => String, { nullable: true }) outlet?: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Published at or after.' }) publishedFrom?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Published before.' }) publishedTo?: Date | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Full-text search over title, outlet, byline and the current text (web-search syntax: "exact phrase", -not, or); results are ranked best first.',
  })
  search?: string | null;
  @Field(() => String, { nullable: true, description: 'Language of `search` (BCP 47) for stemming; default `en`.' })
  searchLanguage?: string | null;
}

@ArgsType()
export class ArticlesArgs extends ConnectionArgs {
  @Field(() => ArticleFilter, { nullable: true }) filter?: ArticleFilter | null;
}
