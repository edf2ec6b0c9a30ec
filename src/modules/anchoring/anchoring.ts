import { DomainError, ErrorCode } from '../../shared/errors';
import { CodePointText, isWellFormed } from './code-point-text';
import { buildAnchor, findOccurrences } from './text-quote';
import type { Anchor } from './types';

export { CodePointText } from './code-point-text';
export { reanchor } from './reanchor';
export * from './types';

export interface QuoteInput {
  exact: string;
  /** Text that must end right before the quote; any length (longer disambiguates more). */
  prefix?: string | null;
  /** Text that must start right after the quote. */
  suffix?: string | null;
}

/**
 * Anchor text[start, end), offsets in code points. Throws ANCHOR_OUT_OF_RANGE unless
 * 0 <= start < end <= length, BAD_USER_INPUT for non-integers or a blank span.
 */
export function anchorByPosition(text: string | CodePointText, start: number, end: number): Anchor {
  const source = asCodePointText(text);
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'start and end must be whole numbers of code points', {
      field: 'position',
    });
  }
  assertInRange(source.length, start, end);
  const anchor = buildAnchor(source, start, end);
  if (anchor.quote.exact.trim() === '') {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'the selected span contains only whitespace', { field: 'position' });
  }
  return anchor;
}

/**
 * Anchor the one occurrence of `exact` whose surroundings agree with `prefix`/`suffix`. There is
 * deliberately no "nearest to a hint" fallback: a new claim placed on the wrong one of two identical
 * phrases would be silently wrong, so ambiguity is the client's to resolve.
 */
export function anchorByQuote(text: string | CodePointText, selector: QuoteInput): Anchor {
  const source = asCodePointText(text);
  const exact = selector.exact ?? '';
  const prefix = selector.prefix ?? '';
  const suffix = selector.suffix ?? '';
  assertQuoteInput(exact, prefix, suffix);

  const occurrences = findOccurrences(source, exact);
  if (occurrences.length === 0) {
    throw new DomainError(ErrorCode.ANCHOR_NOT_FOUND, 'quote does not occur in the revision', { occurrences: 0 });
  }
  const matching = occurrences.filter((start) => contextAgrees(source, start, exact, prefix, suffix));
  if (matching.length === 0) {
    throw new DomainError(
      ErrorCode.ANCHOR_NOT_FOUND,
      `quote occurs ${times(occurrences.length)} in the revision, but never with the given ${contextName(prefix, suffix)}`,
      { occurrences: occurrences.length, matchingContext: 0 },
    );
  }
  if (matching.length > 1) {
    const noContext = prefix === '' && suffix === '';
    const given = noContext ? '' : ` with the given ${contextName(prefix, suffix)}`;
    const advice = noContext ? 'add prefix or suffix to choose one' : 'lengthen the prefix or suffix to choose one';
    throw new DomainError(ErrorCode.ANCHOR_AMBIGUOUS, `quote occurs ${times(matching.length)} in the revision${given}; ${advice}`, {
      occurrences: matching.length,
    });
  }
  const start = matching[0];
  const end = source.fromUtf16(source.toUtf16(start) + exact.length);
  return buildAnchor(source, start, end);
}

function asCodePointText(text: string | CodePointText): CodePointText {
  return typeof text === 'string' ? new CodePointText(text) : text;
}

function assertInRange(length: number, start: number, end: number): void {
  const problem =
    start < 0
      ? `start (${start}) must not be negative`
      : end <= start
        ? `end (${end}) must be greater than start (${start})`
        : end > length
          ? `end (${end}) is past the end of the revision (${length} code points)`
          : null;
  if (problem) {
    throw new DomainError(ErrorCode.ANCHOR_OUT_OF_RANGE, `${problem}; offsets count Unicode code points`, { length });
  }
}

function assertQuoteInput(exact: string, prefix: string, suffix: string): void {
  if (exact.trim() === '') {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'quote must contain non-whitespace text', { field: 'exact' });
  }
  // A lone surrogate cannot be anchored in code points and would match half of a character.
  for (const [field, value] of Object.entries({ exact, prefix, suffix })) {
    if (!isWellFormed(value)) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, `${field} contains an unpaired UTF-16 surrogate`, { field });
    }
  }
}

function contextAgrees(text: CodePointText, start: number, exact: string, prefix: string, suffix: string): boolean {
  const unit = text.toUtf16(start);
  return text.text.endsWith(prefix, unit) && text.text.startsWith(suffix, unit + exact.length);
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

function contextName(prefix: string, suffix: string): string {
  if (prefix !== '' && suffix !== '') return 'prefix and suffix';
  return prefix !== '' ? 'prefix' : 'suffix';
}
