/**
 * Domain errors. Services throw these; one mapping in `formatError` (src/http/format-error.ts)
 * turns them into GraphQL errors with `extensions.code`. Anything that is not a DomainError is
 * unexpected and reaches the client only as INTERNAL_SERVER_ERROR with a request id.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  ALREADY_EXISTS = 'ALREADY_EXISTS',
  ANCHOR_NOT_FOUND = 'ANCHOR_NOT_FOUND',
  ANCHOR_AMBIGUOUS = 'ANCHOR_AMBIGUOUS',
  ANCHOR_OUT_OF_RANGE = 'ANCHOR_OUT_OF_RANGE',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** The input took longer to process than CPU_TASK_TIMEOUT_MS allows (see src/cpu/cpu-pool.ts). */
  PAYLOAD_TOO_COMPLEX = 'PAYLOAD_TOO_COMPLEX',
  PUBLISHED = 'PUBLISHED',
  LAST_OWNER = 'LAST_OWNER',
  NOT_SETTLED = 'NOT_SETTLED',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Safe, client-facing details merged into `extensions` (never internal state). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (type: string): DomainError =>
  // One message for "missing" and "belongs to another team": the two must be indistinguishable.
  new DomainError(ErrorCode.NOT_FOUND, `${type} not found`);

export const badInput = (message: string, field?: string): DomainError => new DomainError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const versionConflict = (type: string, currentVersion: number): DomainError =>
  new DomainError(ErrorCode.VERSION_CONFLICT, `${type} was changed by someone else`, { currentVersion });
