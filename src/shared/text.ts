import { DomainError, ErrorCode, badInput } from './errors';
import { TEXT_LIMITS } from './text-limits';

/** Largest article body accepted, in Unicode code points (a long feature is ~100k). */
export const MAX_ARTICLE_CODE_POINTS = 1_000_000;

export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Why a string is not text claimgraph can store or count, or null when it is. */
export function invalidText(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (!value.isWellFormed()) return 'is not valid Unicode (it contains a lone surrogate)';
  return null;
}

/**
 * The first string inside a JSON value (keys included) that is not valid text, with where it is
 * (`input.email`, `ids.2`); null when every string is valid. Iterative: a deeply nested request
 * body cannot overflow the stack.
 */
export function findInvalidText(value: unknown, path = ''): { path: string; reason: string } | null {
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [current, at] = stack.pop()!;
    if (typeof current === 'string') {
      const reason = invalidText(current);
      if (reason) return { path: at, reason };
    } else if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) stack.push([current[index], at ? `${at}.${index}` : String(index)]);
    } else if (current && typeof current === 'object') {
      for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
        const reason = invalidText(key);
        if (reason) return { path: at, reason: `has a key that ${reason}` };
        stack.push([item, at ? `${at}.${key}` : key]);
      }
    }
  }
  return null;
}

/**
 * Text that Postgres can store and anchors can count: well-formed UTF-16 (no lone surrogates,
 * which JSON allows as \ud800 escapes) and no NUL (Postgres text cannot hold it).
 */
export function checkText(value: string, field: string, options: { max?: number; allowBlank?: boolean } = {}): string {
  if (typeof value !== 'string') throw badInput(`${field} must be a string`, field);
  const invalid = invalidText(value);
  if (invalid) throw badInput(`${field} ${invalid}`, field);
  if (!options.allowBlank && value.trim().length === 0) throw badInput(`${field} must not be empty`, field);
  if (options.max !== undefined && value.length > options.max * 2) {
    throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `${field} is longer than ${options.max} characters`, { field, max: options.max });
  }
  if (options.max !== undefined && codePointLength(value) > options.max) {
    throw new DomainError(ErrorCode.PAYLOAD_TOO_LARGE, `${field} is longer than ${options.max} characters`, { field, max: options.max });
  }
  return value;
}

/** Optional short text: trimmed, blank becomes null. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null) return null;
  const trimmed = checkText(value, field, { max, allowBlank: true }).trim();
  return trimmed.length === 0 ? null : trimmed;
}

export function requiredText(value: string, field: string, max: number): string {
  return checkText(value, field, { max }).trim();
}

/** The optional reason a write records in history (`input.reason`): trimmed, blank is none. */
export function optionalReason(value: string | null | undefined): string | null {
  return optionalText(value, 'reason', TEXT_LIMITS.reason.max);
}

/** A reason the write cannot go without (marking a dispute, confirming changed words). */
export function requiredReason(value: string): string {
  return requiredText(value, 'reason', TEXT_LIMITS.reason.max);
}

/** Normalises line endings so offsets mean the same on every client. */
export function normalizeBody(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
