/**
 * The channel a statement travels through: the outlet someone "told", the interview or platform.
 */
import { MEDIA_WORDS } from './lexicon.js';
import { isAllCapsAcronym, isCapitalized, type Token } from './text.js';

/** The outlet in "told Reuters", "told The Columbus Dispatch", "told the BBC"; null for a person. */
export function mediaName(text: string, phrase: Token[]): string | null {
  if (phrase.length === 0) return null;
  const isMedia =
    phrase.some((token) => MEDIA_WORDS.has(token.key)) ||
    (phrase.length === 1 && isAllCapsAcronym(phrase[0].text)) ||
    (phrase[0].text === 'The' && phrase.length >= 3 && phrase.slice(1).every((token) => isCapitalized(token.text)));
  if (!isMedia) return null;
  const words = phrase[0].key === 'the' ? phrase.slice(1) : phrase;
  return text.slice(words[0].start, words[words.length - 1].end);
}

/** "told Reuters", "in an interview with the BBC", "wrote on Telegram": the channel of the speech. */
export function channelAfter(text: string, tokens: Token[], from: number, to: number): { via: string | null; next: number } {
  let i = from;
  const phraseUntilStop = (start: number): Token[] => {
    const phrase: Token[] = [];
    let k = start;
    while (
      k < to &&
      tokens[k].isWord &&
      !tokens[k].quoted &&
      !['that', 'on', 'in', 'at', 'last', 'this', 'and', 'about', 'after', 'before', 'during'].includes(tokens[k].key) &&
      phrase.length < 6
    )
      phrase.push(tokens[k++]);
    return phrase;
  };
  if (tokens[i]?.key === 'interview' || (tokens[i]?.key === 'in' && ['an', 'a'].includes(tokens[i + 1]?.key ?? '') && tokens[i + 2]?.key === 'interview')) {
    i = tokens[i].key === 'in' ? i + 3 : i + 1;
    if (tokens[i]?.key === 'with') {
      const phrase = phraseUntilStop(i + 1);
      return {
        via: mediaName(text, phrase) ?? (phrase.length > 0 ? text.slice(phrase[0].start, phrase[phrase.length - 1].end) : null),
        next: i + 1 + phrase.length,
      };
    }
  }
  if (
    tokens[i]?.key === 'on' &&
    tokens[i + 1] &&
    isCapitalized(tokens[i + 1].text) &&
    !/^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$/.test(tokens[i + 1].text)
  ) {
    const phrase = phraseUntilStop(i + 1).filter((token) => isCapitalized(token.text));
    if (phrase.length > 0 && phrase.length <= 3) return { via: text.slice(phrase[0].start, phrase[phrase.length - 1].end), next: i + 1 + phrase.length };
  }
  return { via: null, next: from };
}
