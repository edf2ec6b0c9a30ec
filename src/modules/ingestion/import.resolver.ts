import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ImportArticleInput, ImportArticlePayload } from './import.inputs';

@Resolver()
export class ImportResolver {
  @Mutation(() => ImportArticlePayload, {
    description: 'Imports plain text or HTML: the article, revision 1 and the candidate claims found in it, in one transaction (EDITOR).',
  })
  importArticle(@Arg('input', () => ImportArticleInput) input: ImportArticleInput, @Ctx() context: Context): Promise<ImportArticlePayload> {
    return context.services.imports.import(input);
  }
}
