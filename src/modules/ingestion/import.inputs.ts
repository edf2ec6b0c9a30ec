import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver, URLResolver } from 'graphql-scalars';
import { Article } from '../article/article.entity';
import { ArticleRevision } from '../article/article-revision.entity';
import { Claim } from '../claim/claim.entity';
import { Source } from '../source/source.entity';

export enum ImportFormat {
  TEXT = 'TEXT',
  HTML = 'HTML',
  AUTO = 'AUTO',
}
registerEnumType(ImportFormat, {
  name: 'ImportFormat',
  valuesConfig: {
    TEXT: { description: 'Plain text; line breaks separate paragraphs.' },
    HTML: { description: 'A web page or fragment, reduced to its article text (paragraph breaks kept).' },
    AUTO: { description: 'HTML when the content looks like HTML, else plain text.' },
  },
});

@InputType()
export class ImportArticleInput {
  @Field(() => ID) teamId: string;
  @Field(() => String, { nullable: true, description: "Default: the HTML page's title." }) title?: string | null;
  @Field(() => URLResolver, { nullable: true }) url?: URL | string | null;
  @Field(() => String, { nullable: true }) outlet?: string | null;
  @Field(() => String, { nullable: true }) byline?: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) publishedAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 tag; default `en`. Extraction rules are for English.' }) language?: string | null;
  @Field(() => String) content: string;
  @Field(() => ImportFormat, { nullable: true, defaultValue: ImportFormat.AUTO }) format?: ImportFormat;
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Store the article even if the team has one with the same URL or text (otherwise ALREADY_EXISTS with extensions.articleId).',
  })
  allowDuplicate?: boolean | null;
}

@ObjectType()
export class ImportArticlePayload {
  @Field(() => Article) article: Article;
  @Field(() => ArticleRevision) revision: ArticleRevision;
  @Field(() => [Claim], { description: 'Candidate claims in reading order.' }) claims: Claim[];
  @Field(() => [Source], { description: 'Speakers first seen in this article (others were matched to existing sources).' }) newSources: Source[];
  @Field(() => Int, { description: 'Candidates that repeat a claim the desk already reviewed (see Claim.repeatOf).' }) repeats: number;
}
