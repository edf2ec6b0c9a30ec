export type ClaimKind = 'DIRECT_QUOTE' | 'REPORTED_SPEECH' | 'ASSERTION';
export type Sourcing = 'SOURCED' | 'ANONYMOUS' | 'UNSOURCED';
export type SpeakerKind = 'PERSON' | 'ORGANIZATION' | 'DOCUMENT' | 'OTHER';

export interface ExtractedSpeaker {
  /** "Alexander Khinstin", "KCNA", "Moscow"; null when anonymous. */
  name: string | null;
  /** For anonymous sources: "one Russian analyst", "a Russian military expert, who requested anonymity". */
  descriptor: string | null;
  /** "Kursk Governor", "a local teacher and volunteer" when the text gives one. */
  title: string | null;
  kind: SpeakerKind;
  anonymous: boolean;
}

export interface ExtractedStatement {
  /** Offsets in Unicode code points of the input text, end exclusive. */
  start: number;
  end: number;
  /** Exactly `[...text].slice(start, end).join('')`. */
  quote: string;
  kind: ClaimKind;
  sourcing: Sourcing;
  /** null for ASSERTION / UNSOURCED. */
  speaker: ExtractedSpeaker | null;
  /** The channel the statement is reported through, e.g. a news agency. */
  via: string | null;
  confidence: number;
  checkworthiness: number;
}

export interface Span {
  start: number;
  end: number;
}
