/**
 * Reading the labelled articles (test/fixtures, format in test/fixtures/LABELLING.md) for the eval
 * CLI and the accuracy test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LabelledStatement } from './evaluate.js';

export interface LabelledArticle {
  name: string;
  text: string;
  statements: LabelledStatement[];
}

export interface ArticleSplit {
  development: string[];
  heldOut: string[];
}

/** One article JSON (`text` + `statements`), or a text file with a `.statements.json` beside it. */
export function readLabelledArticle(file: string, labelsFile?: string): LabelledArticle {
  if (labelsFile) {
    const labels = JSON.parse(readFileSync(labelsFile, 'utf8')) as { statements: LabelledStatement[] };
    return { name: path.basename(file).replace(/\.txt$/, ''), text: readFileSync(file, 'utf8'), statements: labels.statements };
  }
  const article = JSON.parse(readFileSync(file, 'utf8')) as { text: string; statements: LabelledStatement[] };
  return { name: path.basename(file).replace(/\.json$/, ''), text: article.text, statements: article.statements };
}

/** Every labelled article under `fixturesDir`: `articles/*.json` and the `*.txt` + `*.statements.json` pairs. */
export function readLabelledArticles(fixturesDir: string): LabelledArticle[] {
  const articles: LabelledArticle[] = [];
  for (const file of readdirSync(fixturesDir)
    .filter((name) => name.endsWith('.txt'))
    .sort()) {
    const labels = path.join(fixturesDir, file.replace(/\.txt$/, '.statements.json'));
    if (existsSync(labels)) articles.push(readLabelledArticle(path.join(fixturesDir, file), labels));
  }
  const dir = path.join(fixturesDir, 'articles');
  if (existsSync(dir)) {
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort())
      articles.push(readLabelledArticle(path.join(dir, file)));
  }
  return articles;
}

export function readSplit(fixturesDir: string): ArticleSplit {
  return JSON.parse(readFileSync(path.join(fixturesDir, 'extraction-split.json'), 'utf8')) as ArticleSplit;
}
