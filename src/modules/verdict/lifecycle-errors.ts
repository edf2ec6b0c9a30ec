import type { Actor } from '../../shared/actor';
import { DomainError, ErrorCode, notFound, versionConflict } from '../../shared/errors';
import { toGlobalId } from '../../shared/ids';
import { authorize } from '../team/permissions';

/**
 * The errors the verdict lifecycle's SQL raises (src/modules/verdict/verdict-lifecycle.sql), each
 * with its SQLSTATE of class CG. Declared here once; a test keeps this list equal to the codes the
 * SQL file raises, and `lifecycleError` maps every one of them (the compiler checks the switch).
 */
export const LIFECYCLE_ERRORS = {
  CG404: 'the claim or verdict is missing, deleted or in another team; DETAIL: which (Claim, Verdict)',
  CG403: "the caller may not write verdicts in the claim's team; DETAIL: the team",
  CG405: "the verdict is another reviewer's",
  CG409: 'version conflict; DETAIL: the current version, empty when there is no current verdict',
  CG410: 'a first verdict was asked for (no expectedVersion) but the reviewer has one; DETAIL: its version and id',
  CG423: 'the claim is published',
} as const;

export type LifecycleErrorCode = keyof typeof LIFECYCLE_ERRORS;

function isLifecycleCode(code: unknown): code is LifecycleErrorCode {
  return typeof code === 'string' && Object.hasOwn(LIFECYCLE_ERRORS, code);
}

/** The typed API error for one lifecycle error. */
export function lifecycleError(code: LifecycleErrorCode, detail: string, actor: Actor): DomainError {
  switch (code) {
    case 'CG404':
      return notFound(detail === 'Verdict' ? 'Verdict' : 'Claim');
    case 'CG403':
      // the permission matrix words the refusal (NOT_FOUND outside the team, FORBIDDEN below the role)
      authorize(actor, detail, 'verdict.write', 'Claim');
      return new DomainError(ErrorCode.FORBIDDEN, 'You may not give verdicts in this team');
    case 'CG405':
      return new DomainError(ErrorCode.FORBIDDEN, 'Only the reviewer who gave a verdict may withdraw it');
    case 'CG409':
      if (!detail) {
        return new DomainError(ErrorCode.VERSION_CONFLICT, 'You have no current verdict on this claim to revise', { currentVersion: null });
      }
      return versionConflict('Verdict', Number(detail));
    case 'CG410': {
      // Not a stale read: the caller did not know they had a verdict. Say so, and how to revise it.
      const [version, verdictId] = detail.split(' ');
      return new DomainError(
        ErrorCode.ALREADY_EXISTS,
        `You already have a verdict on this claim (version ${version}); to revise it, send submitVerdict again with expectedVersion: ${version}`,
        { verdictId: toGlobalId('Verdict', verdictId), currentVersion: Number(version) },
      );
    }
    case 'CG423':
      return new DomainError(ErrorCode.PUBLISHED, 'The claim is published; an editor must unpublish it before verdicts change');
    default: {
      const unhandled: never = code;
      throw new Error(`unmapped lifecycle error ${String(unhandled)}`);
    }
  }
}

/** A lifecycle error from the database as its typed API error; any other error as it is. */
export function fromLifecycleError(error: unknown, actor: Actor): unknown {
  const driverError = (error as { driverError?: { code?: string; detail?: string } }).driverError;
  if (!isLifecycleCode(driverError?.code)) return error;
  try {
    return lifecycleError(driverError.code, driverError.detail ?? '', actor);
  } catch (refusal) {
    // `authorize` throws the refusal it words
    return refusal;
  }
}
