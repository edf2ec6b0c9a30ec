export type { ClaimKind, ExtractedSpeaker, ExtractedStatement, Sourcing, SpeakerKind, Span } from './types.js';
export { extractStatements } from './extract.js';
export { segmentSentences } from './segment.js';
export { normalizeSourceName } from './normalize.js';
export { findQuotations, type Quotation } from './quotes.js';
export { scoreCheckworthiness, ASSERTION_THRESHOLD } from './assertions.js';
export {
  bandOf,
  CONFIDENCE_BANDS,
  evaluateExtraction,
  figuresOf,
  poolCounts,
  locateLabels,
  matchStatements,
  overlapsByHalf,
  speakerMatches,
  type EvaluationReport,
  type ExtractionCounts,
  type ExtractionFigures,
  type LabelledStatement,
} from './evaluate.js';
