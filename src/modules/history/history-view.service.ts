import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { Comment } from '../comment/comment.entity';
import { Role, roleAtLeast } from '../team/role';
import { FieldChange } from './field-change';
import { apiChanges, apiObject, type ApiChange } from './api-form';
import type { HistoryEvent } from './history-event.entity';

export interface HistoryEventView {
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  changes: FieldChange[];
}

export function toFieldChange(change: ApiChange, redacted = false): FieldChange {
  return Object.assign(new FieldChange(), {
    field: change.field,
    before: redacted ? null : change.before,
    after: redacted ? null : change.after,
    redacted,
    beforeIds: redacted ? [] : change.beforeIds,
    afterIds: redacted ? [] : change.afterIds,
  });
}

/**
 * A history event as this request's reader may see it: in the API's terms (api-form.ts), with
 * what they may not read withheld. Built once per event and request, for `before`, `after` and
 * `changes` alike.
 */
export class HistoryViewService {
  private readonly views = new WeakMap<HistoryEvent, Promise<HistoryEventView>>();

  constructor(private readonly context: Context) {}

  view(event: HistoryEvent): Promise<HistoryEventView> {
    let view = this.views.get(event);
    if (!view) this.views.set(event, (view = this.build(event)));
    return view;
  }

  private async build(event: HistoryEvent): Promise<HistoryEventView> {
    const hideBody = await this.hidesCommentBody(event);
    const changes = apiChanges(event.entityType, event.before, event.after).map((change) => {
      if (!(hideBody && change.recorded === 'body')) return change;
      return { ...change, before: null, after: null, beforeIds: [], afterIds: [] };
    });
    return {
      before: apiObject(changes, 'before', event.before !== null),
      after: apiObject(changes, 'after', event.after !== null),
      changes: changes.map((change) => toFieldChange(change, hideBody && change.recorded === 'body')),
    };
  }

  /**
   * Deleting a comment takes its text off the page; its history must not put it back for every
   * member. The author and EDITORs and above (who may delete anyone's comments) still read it.
   */
  private async hidesCommentBody(event: HistoryEvent): Promise<boolean> {
    if (event.entityType !== 'Comment') return false;
    const actor = requireActor(this.context);
    const comment = await this.context.loaders.entity(Comment).load(event.entityId);
    if (!comment) return true;
    if (!comment.deletedAt || comment.authorId === actor.userId) return false;
    const role = actor.roleIn(comment.teamId);
    return !role || !roleAtLeast(role, Role.EDITOR);
  }
}
