/**
 * Source names as comparison keys, so "Reyes", "Governor Reyes" and "Ohio Governor
 * Dana Reyes" can be deduplicated and scored against labels.
 */
import { NAME_PARTICLES, ORGANIZATION_WORDS, TITLE_WORDS } from './lexicon.js';
import { isSourceNoun } from './speakers.js';

// Titles stripped even when capitalised; the rest ("General Motors", "Chief Keef") may be names.
const HONORIFIC_STRIP = new Set(
  [...TITLE_WORDS].filter(
    (word) =>
      !['general', 'state', 'major', 'chief', 'head', 'crown', 'leader', 'analyst', 'expert', 'economist', 'researcher', 'scientist', 'historian'].includes(
        word,
      ),
  ),
);
const NAME_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

/**
 * A comparison key for source names: lowercase, no punctuation, no leading article, and no title
 * before a capitalised name ("Ohio Governor Dana Reyes" -> "dana reyes",
 * "Dr. Jane Smith" -> "jane smith"). Descriptions keep their words ("a Gulf diplomat" ->
 * "gulf diplomat").
 */
export function normalizeSourceName(name: string): string {
  let words = name
    .normalize('NFKC')
    .replace(/[’‘`´]/g, "'")
    .replace(/'s\b/g, '')
    .split(/[^\p{L}\p{N}'.-]+/u)
    .map((word) => word.replace(/^['.-]+|['.-]+$/g, ''))
    .filter((word) => word.length > 0);
  while (words.length > 1 && NAME_SUFFIXES.has(words[words.length - 1].toLowerCase().replace(/\./g, ''))) words = words.slice(0, -1);
  let lastTitle = -1;
  for (let i = 0; i < words.length - 1; i++) {
    const key = words[i].toLowerCase().replace(/\./g, '');
    const rest = words.slice(i + 1);
    const nameFollows = rest.length > 0 && rest.every((word) => /^\p{Lu}/u.test(word) || NAME_PARTICLES.has(word.toLowerCase()));
    const organisation = rest.some((word) => ORGANIZATION_WORDS.has(word.toLowerCase()));
    if ((HONORIFIC_STRIP.has(key) || (!/^\p{Lu}/u.test(words[i]) && isSourceNoun(key) && TITLE_WORDS.has(key))) && nameFollows && !organisation) lastTitle = i;
  }
  let kept = words.slice(lastTitle + 1).map((word) => word.toLowerCase().replace(/[.']/g, ''));
  kept = kept.filter((word) => word.length > 0);
  while (kept.length > 1 && NAME_SUFFIXES.has(kept[kept.length - 1])) kept.pop();
  if (kept.length > 1 && ['a', 'an', 'the'].includes(kept[0])) kept.shift();
  return kept.join(' ');
}
