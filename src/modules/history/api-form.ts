import { toGlobalId, type NodeType } from '../../shared/ids';
import type { EntityType } from './history-event.entity';

/**
 * History is stored as the services recorded it: entity property names (`speakerId`,
 * `positionStart`, `publishedRating`) and raw database ids. That form stays in the database (the
 * append-only log and `asOf` replay it); clients read it translated into the API's own terms:
 * GraphQL field paths and global IDs.
 */
interface FieldForm {
  /** The GraphQL field, as a dotted path from the changed object. */
  path: string;
  /** The value is the raw id (or a list of ids) of an object of this type. */
  node?: NodeType;
}

const ref = (path: string, node: NodeType): FieldForm => ({ path, node });

/**
 * Recorded names that differ from the API's, per type of changed object. A recorded field not
 * listed here already has its GraphQL name (`status`, `rating`, `body`, `dueAt`): add a line when
 * a service records a field under another name, or an id.
 */
const FORMS: Partial<Record<EntityType, Record<string, FieldForm>>> = {
  Team: { ownerId: ref('owner', 'User') },
  Membership: { userId: ref('user', 'User') },
  Article: {
    revisionNumber: { path: 'currentRevisionNumber' },
    bodySha256: { path: 'currentRevision.bodySha256' },
  },
  Claim: {
    articleId: ref('article', 'Article'),
    revisionId: ref('revision', 'ArticleRevision'),
    positionStart: { path: 'anchor.position.start' },
    positionEnd: { path: 'anchor.position.end' },
    quoteExact: { path: 'anchor.quote.exact' },
    quotePrefix: { path: 'anchor.quote.prefix' },
    quoteSuffix: { path: 'anchor.quote.suffix' },
    speakerId: ref('speaker', 'Source'),
    repeatOfId: ref('repeatOf', 'Claim'),
    disputedBy: ref('disputedBy', 'User'),
    publishedRating: { path: 'published.rating' },
    publishedRationale: { path: 'published.rationale' },
    publishedAt: { path: 'published.publishedAt' },
    publishedBy: ref('published.publishedBy', 'User'),
    publishedEvidenceIds: ref('published.evidence', 'Evidence'),
    publishedQuote: { path: 'published.quote' },
  },
  Verdict: { claimId: ref('claim', 'Claim'), reviewerId: ref('reviewer', 'User') },
  Evidence: { claimId: ref('claim', 'Claim'), sourceId: ref('source', 'Source') },
  Comment: { claimId: ref('claim', 'Claim'), parentId: ref('parent', 'Comment'), authorId: ref('author', 'User') },
  Assignment: { claimId: ref('claim', 'Claim'), reviewerId: ref('reviewer', 'User'), assignedBy: ref('assignedBy', 'User') },
};

function formOf(entityType: EntityType, field: string): FieldForm {
  return FORMS[entityType]?.[field] ?? { path: field };
}

/** A recorded value in the API's form, with the global IDs it refers to. */
function convert(form: FieldForm, value: unknown): { value: unknown; ids: string[] } {
  if (!form.node || value == null) return { value: value ?? null, ids: [] };
  const type = form.node;
  if (Array.isArray(value)) {
    const ids = value.map((id) => toGlobalId(type, String(id)));
    return { value: ids, ids };
  }
  const id = toGlobalId(type, String(value));
  return { value: id, ids: [id] };
}

export interface ApiChange {
  field: string;
  before: unknown;
  after: unknown;
  beforeIds: string[];
  afterIds: string[];
  /** The recorded name, for rules that speak of stored fields (redaction). */
  recorded: string;
  /** Which sides of the event recorded the field. */
  inBefore: boolean;
  inAfter: boolean;
}

/** One recorded field's values, before and after, in API terms. */
export function apiChange(entityType: EntityType, field: string, before: unknown, after: unknown): ApiChange {
  const form = formOf(entityType, field);
  const old = convert(form, before);
  const next = convert(form, after);
  return { field: form.path, before: old.value, after: next.value, beforeIds: old.ids, afterIds: next.ids, recorded: field, inBefore: true, inAfter: true };
}

/**
 * Each recorded field of an event's before/after as a change in API terms, in recorded order
 * (`after`'s fields first, then those only `before` has). A creation has no `before`: its
 * changes go from null.
 */
export function apiChanges(entityType: EntityType, before: Record<string, unknown> | null, after: Record<string, unknown> | null): ApiChange[] {
  const fields = [...new Set([...Object.keys(after ?? {}), ...Object.keys(before ?? {})])];
  return fields.map((field) => ({
    ...apiChange(entityType, field, before?.[field], after?.[field]),
    inBefore: before !== null && field in before,
    inAfter: after !== null && field in after,
  }));
}

/**
 * One side of an event as a JSON object shaped like the GraphQL type: dotted paths become nested
 * objects (`{ anchor: { position: { start: 12 } } }`), so a front end can merge it into what it
 * has. Null when the event recorded no such side (a creation's `before`).
 */
export function apiObject(changes: readonly ApiChange[], side: 'before' | 'after', recorded: boolean): Record<string, unknown> | null {
  if (!recorded) return null;
  const result: Record<string, unknown> = {};
  for (const change of changes) {
    if (!(side === 'before' ? change.inBefore : change.inAfter)) continue;
    const path = change.field.split('.');
    let target = result;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      target = (next && typeof next === 'object' && !Array.isArray(next) ? next : (target[key] = {})) as Record<string, unknown>;
    }
    target[path[path.length - 1]] = change[side];
  }
  return result;
}
