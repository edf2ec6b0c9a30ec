import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { notFound } from '../../shared/errors';
import { CodePointText } from '../anchoring/anchoring';
import { ArticleRevision } from '../article/article-revision.entity';
import { AnchorType, Utf16PositionType } from './claim.entity';

/** One offset table per revision text and request, shared by every claim anchored to it. */
const tables = new WeakMap<ArticleRevision, CodePointText>();

@Resolver(() => AnchorType)
export class AnchorResolver {
  @FieldResolver(() => Utf16PositionType, {
    description: 'The span in UTF-16 code units, for JavaScript: `revision.body.slice(start, end)` is exactly the quote, emoji and all.',
  })
  async utf16Position(@Root() anchor: AnchorType, @Ctx() context: Context): Promise<Utf16PositionType> {
    // the claim's own revision, which the article page has usually loaded already
    const revision = context.loaders.peek(ArticleRevision, anchor.revisionId) ?? (await context.loaders.entity(ArticleRevision).load(anchor.revisionId));
    if (!revision) throw notFound('ArticleRevision');
    let text = tables.get(revision);
    if (!text) tables.set(revision, (text = new CodePointText(revision.body)));
    return { start: text.toUtf16(anchor.position.start), end: text.toUtf16(anchor.position.end) };
  }
}
