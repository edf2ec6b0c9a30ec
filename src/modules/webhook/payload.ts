import { toGlobalId, type NodeType } from '../../shared/ids';
import { webhookEventId, type WebhookEventType } from './webhook.entities';

/** The history row a webhook event is made from (append-only: the same payload on every retry). */
export interface HistoryRow {
  id: string;
  team_id: string;
  actor_id: string | null;
  at: Date;
  entity_type: string;
  entity_id: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
  claim_id: string | null;
  article_id: string | null;
}

/**
 * The JSON body of every webhook request (Standard Webhooks' shape: type, timestamp, data). IDs
 * are the API's global IDs, so a receiver can fetch any of them with `node(id)`.
 */
export interface WebhookPayload {
  /** The same as the `webhook-id` header: stable across retries; receivers de-duplicate on it. */
  id: string;
  type: WebhookEventType;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: {
    teamId: string;
    /** The changed object: a Claim, Verdict or Article. */
    entityType: string;
    entityId: string;
    /** The history action: PUBLISH, UNPUBLISH, STATUS_CHANGE, SUBMIT, REVISE, CREATE, IMPORT. */
    action: string;
    /** The claim the event is about (claim and verdict events). */
    claimId: string | null;
    articleId: string | null;
    /** Who made the change; null for the system's own changes. */
    actorId: string | null;
    /** The changed fields before and after, as in the object's history. */
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    reason: string | null;
  };
}

export function webhookPayload(eventType: WebhookEventType, row: HistoryRow): WebhookPayload {
  return {
    id: webhookEventId(row.id),
    type: eventType,
    timestamp: new Date(row.at).toISOString(),
    data: {
      teamId: toGlobalId('Team', row.team_id),
      entityType: row.entity_type,
      entityId: toGlobalId(row.entity_type as NodeType, row.entity_id),
      action: row.action,
      claimId: row.claim_id ? toGlobalId('Claim', row.claim_id) : null,
      articleId: row.article_id ? toGlobalId('Article', row.article_id) : null,
      actorId: row.actor_id ? toGlobalId('User', row.actor_id) : null,
      before: row.before,
      after: row.after,
      reason: row.reason,
    },
  };
}
