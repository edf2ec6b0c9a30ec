import { Kind, type DocumentNode, type FieldNode, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type express from 'express';
import { parseLsnToken, type LsnToken } from '../db/read-replica';
import { DomainError, badInput } from '../shared/errors';
import { addErrorCodes, recordOf } from './request-log';

/**
 * Read-your-writes with a read replica (DATABASE_READ_URL). A response to a write carries the WAL
 * position of its commit in `X-Claimgraph-Lsn` (and in the body's `extensions.lsn`); a client sends
 * the latest one it holds back in `X-Claimgraph-Min-Lsn` (downloads also take `minLsn` in the
 * query string, for plain links), and a read the replica would serve waits there until replay
 * has reached it, or goes to the primary after READ_REPLICA_MAX_WAIT_MS. Tokens are fixed-width
 * hex, so the latest of several is the greatest string.
 */
export const LSN_HEADER = 'x-claimgraph-lsn';
export const MIN_LSN_HEADER = 'x-claimgraph-min-lsn';
export const MIN_LSN_PARAMETER = 'minLsn';

const MIN_LSN = 'claimgraphMinLsn';

/** A sent position, checked; BAD_USER_INPUT when it is not one (a client bug to surface, not to ignore). */
export function minLsnOf(value: unknown, field: string): LsnToken | null {
  if (value === undefined || value === null || value === '') return null;
  const token = typeof value === 'string' && value.length <= 40 ? parseLsnToken(value) : null;
  if (!token) throw badInput(`${field} must be a position the API returned in ${LSN_HEADER} (16 hex digits)`, field);
  return token;
}

/** On /graphql before the gate: a malformed X-Claimgraph-Min-Lsn is refused before anything runs. */
export function minLsnMiddleware(request: express.Request, response: express.Response, next: express.NextFunction): void {
  try {
    response.locals[MIN_LSN] = minLsnOf(request.get(MIN_LSN_HEADER), MIN_LSN_HEADER);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    addErrorCodes(recordOf(response), [error.code]);
    response.status(400).json({ errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }] });
    return;
  }
  next();
}

export function minLsnFromLocals(response: express.Response): LsnToken | null {
  return (response.locals[MIN_LSN] as LsnToken | null | undefined) ?? null;
}

/**
 * Root fields whose reads the replica may serve: report figures, the claim queue and claim search,
 * article and source search. Everything else (the article page a reviewer works on, the viewer,
 * single objects) stays on the primary, where a reviewer's next click always sees their last one.
 */
const REPLICA_FIELDS: Record<string, (field: FieldNode, variables: Record<string, unknown>) => boolean> = {
  verdictReport: () => true,
  claims: () => true,
  articles: (field, variables) => hasSearch(argument(field, 'filter'), variables, 'search'),
  sources: (field, variables) => given(argument(field, 'search'), variables),
};

/** Whether a query operation reads only what the replica may serve (every root field, through fragments). */
export function servedByReplica(operation: OperationDefinitionNode, document: DocumentNode, variables: Record<string, unknown> | undefined): boolean {
  if (operation.operation !== 'query') return false;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  let replicaFields = 0;
  const visit = (selectionSet: SelectionSetNode, depth: number): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__typename') continue;
        const eligible = REPLICA_FIELDS[selection.name.value];
        if (!eligible?.(selection, variables ?? {})) return false;
        replicaFields++;
        continue;
      }
      const nested = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value);
      // fragment cycles fail validation before this runs; the depth cap only keeps this total
      if (!nested || depth > 10 || !visit(nested, depth + 1)) return false;
    }
    return true;
  };
  return visit(operation.selectionSet, 0) && replicaFields > 0;
}

function argument(field: FieldNode, name: string): ValueNode | undefined {
  return field.arguments?.find((candidate) => candidate.name.value === name)?.value;
}

function literalOrVariable(value: ValueNode | undefined, variables: Record<string, unknown>): unknown {
  if (!value) return undefined;
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  if (value.kind === Kind.STRING) return value.value;
  if (value.kind === Kind.NULL) return null;
  return value;
}

function given(value: ValueNode | undefined, variables: Record<string, unknown>): boolean {
  const resolved = literalOrVariable(value, variables);
  return typeof resolved === 'string' && resolved.trim() !== '';
}

function hasSearch(filter: ValueNode | undefined, variables: Record<string, unknown>, name: string): boolean {
  if (!filter) return false;
  if (filter.kind === Kind.VARIABLE) {
    const object = variables[filter.name.value];
    const search = object && typeof object === 'object' ? (object as Record<string, unknown>)[name] : undefined;
    return typeof search === 'string' && search.trim() !== '';
  }
  if (filter.kind !== Kind.OBJECT) return false;
  return given(filter.fields.find((field) => field.name.value === name)?.value, variables);
}
