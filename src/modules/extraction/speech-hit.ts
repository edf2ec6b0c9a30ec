/**
 * What every reported-speech rule produces, and the small token helpers they share.
 */
import type { SentenceContext } from './clauses.js';
import type { SpeakerMatch } from './speakers.js';
import type { Token } from './text.js';

export type SpeechFrame = 'clause' | 'object' | 'as' | 'what' | 'passive' | 'hearsay' | 'viewpoint' | 'according' | 'post' | 'stance';

export interface SpeechHit {
  sentence: SentenceContext;
  /** Token index of the reporting verb or cue. */
  cue: number;
  /** Token index where the attribution and its content begin (for nesting and coverage). */
  regionStart: number;
  regionEnd: number;
  speaker: SpeakerMatch | null;
  /**
   * The speaker is the subject of another clause ("Putin blamed X, accusing her of Y and saying Z"):
   * the words between are not part of this attribution.
   */
  detached?: boolean;
  /** Content with no one to say it ("is widely believed that ..."): reported speech, no speaker. */
  impersonal: boolean;
  /** Token indices of the content, end exclusive; empty when the verb hands over to a quotation. */
  contentStart: number;
  contentEnd: number;
  frame: SpeechFrame;
  via: string | null;
  confidence: number;
  /** Token index of a quotation this verb introduces ("stating, '...'"): the quotation is the statement. */
  introducesQuote: number | null;
  /**
   * Token index where the subject phrase starts, so a bare object ("expressed mixed emotions") can
   * grow into the whole clause; null when the subject is not in front of the verb.
   */
  subjectFirst: number | null;
}

const FRAME_CONFIDENCE: Record<SpeechFrame, number> = {
  clause: 0.8,
  object: 0.7,
  as: 0.7,
  what: 0.75,
  passive: 0.65,
  hearsay: 0.6,
  viewpoint: 0.55,
  according: 0.8,
  post: 0.75,
  stance: 0.55,
};

export function unquotedWords(tokens: Token[], from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (tokens[i].isWord && !tokens[i].quoted) count++;
  return count;
}

export function skipAdverbs(tokens: Token[], from: number): number {
  let i = from;
  while (i < tokens.length && tokens[i].isWord && !tokens[i].quoted && /ly$/.test(tokens[i].key) && tokens[i].key.length > 4) i++;
  return i;
}

/** Words that can follow a reporting verb as an adjunct: "said on Friday", "confirmed late Tuesday". */
export const ADJUNCT_STARTERS = new Set([
  'on',
  'in',
  'at',
  'late',
  'early',
  'earlier',
  'later',
  'last',
  'this',
  'yesterday',
  'today',
  'during',
  'after',
  'before',
  'overnight',
  'recently',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'tonight',
  'previously',
]);

export interface VerbContext {
  text: string;
  sentence: SentenceContext;
  earlier: SpeechHit[];
}

/** A hit with the defaults most rules want. */
export function hit(
  partial: Omit<SpeechHit, 'regionEnd' | 'confidence' | 'via' | 'introducesQuote' | 'subjectFirst' | 'impersonal'> & Partial<SpeechHit>,
): SpeechHit {
  return {
    regionEnd: partial.contentEnd,
    confidence: FRAME_CONFIDENCE[partial.frame],
    via: null,
    introducesQuote: null,
    subjectFirst: null,
    impersonal: false,
    ...partial,
  };
}
