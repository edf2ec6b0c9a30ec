import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { DateTimeResolver } from 'graphql-scalars';
import { Node } from '../../shared/node';
import { toGlobalId } from '../../shared/ids';
import { ClaimStatus } from '../claim/claim.enums';

/** What an endpoint can subscribe to; the values are the `type` of the payloads sent. */
export enum WebhookEventType {
  CLAIM_PUBLISHED = 'claim.published',
  CLAIM_UNPUBLISHED = 'claim.unpublished',
  CLAIM_STATUS_CHANGED = 'claim.status_changed',
  VERDICT_SUBMITTED = 'verdict.submitted',
  ARTICLE_IMPORTED = 'article.imported',
  ARTICLE_REVISED = 'article.revised',
}
registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'An event a webhook endpoint may subscribe to; its payload `type` is the lowercase dotted form (claim.published, …).',
  valuesConfig: {
    CLAIM_PUBLISHED: { description: "claim.published: an editor published the desk's verdict." },
    CLAIM_UNPUBLISHED: { description: 'claim.unpublished: the published verdict was withdrawn.' },
    // the statuses listed from the enum, so a new status cannot be left out of the description
    CLAIM_STATUS_CHANGED: { description: `claim.status_changed: the derived status changed (${Object.values(ClaimStatus).join(', ')}).` },
    VERDICT_SUBMITTED: { description: 'verdict.submitted: a reviewer gave or revised a verdict.' },
    ARTICLE_IMPORTED: { description: 'article.imported: an article was created or imported.' },
    ARTICLE_REVISED: { description: "article.revised: a new revision of an article's text." },
  },
});

export enum WebhookDeliveryState {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryState, {
  name: 'WebhookDeliveryState',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its turn or its next retry.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Retried for the whole retry window without a 2xx; no more attempts.' },
  },
});

@Entity({ name: 'webhook_endpoints' })
@ObjectType('WebhookEndpoint', { implements: Node, description: "Where a team's events are posted, signed (Standard Webhooks)." })
export class WebhookEndpoint implements Node {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get nodeId(): string {
    return toGlobalId('WebhookEndpoint', this.id);
  }

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ type: 'text' })
  @Field(() => String)
  url: string;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  description: string | null;

  @Column({ name: 'event_types', type: 'text', array: true })
  @Field(() => [WebhookEventType])
  eventTypes: WebhookEventType[];

  /** The signing secret: shown once when created or rotated, never a field. */
  @Column({ type: 'text' })
  secret: string;

  @Column({ type: 'boolean' })
  @Field(() => Boolean, { description: 'Disabled endpoints get no new events; pending ones wait until it is enabled again.' })
  enabled: boolean;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the delivery worker disabled it (after a day of failures).' })
  disabledReason: string | null;

  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true, description: 'The first failed attempt since the last success.' })
  failingSince: Date | null;

  @Column({ type: 'integer' })
  @Field(() => Int)
  version: number;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  updatedAt: Date;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

@Entity({ name: 'webhook_deliveries' })
@ObjectType('WebhookDelivery', { description: 'One event for one endpoint, and its attempts.' })
export class WebhookDelivery {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'endpoint_id', type: 'uuid' })
  endpointId: string;

  @Column({ name: 'history_event_id', type: 'bigint' })
  historyEventId: string;

  @Field(() => String, { description: 'The `webhook-id` header and payload id: the same on every retry.' })
  get eventId(): string {
    return webhookEventId(this.historyEventId);
  }

  @Column({ name: 'event_type', type: 'text' })
  @Field(() => WebhookEventType)
  eventType: WebhookEventType;

  @Column({ type: 'text' })
  @Field(() => WebhookDeliveryState)
  state: WebhookDeliveryState;

  @Column({ type: 'integer' })
  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver, { description: 'When it is (or was last) due.' })
  nextAttemptAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  createdAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  @Field(() => DateTimeResolver, { nullable: true })
  deliveredAt: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  lastError: string | null;
}

@Entity({ name: 'webhook_attempts' })
@ObjectType('WebhookAttempt', { description: 'One POST of a delivery: what the endpoint answered, and how fast.' })
export class WebhookAttempt {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId: string;

  @Column({ name: 'delivery_id', type: 'bigint' })
  deliveryId: string;

  @Column({ name: 'attempted_at', type: 'timestamptz' })
  @Field(() => DateTimeResolver)
  attemptedAt: Date;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  @Field(() => Int, { nullable: true, description: 'HTTP status; null when no answer came (refused, timed out, not allowed).' })
  statusCode: number | null;

  @Column({ name: 'latency_ms', type: 'integer' })
  @Field(() => Int)
  latencyMs: number;

  @Column({ name: 'response_excerpt', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'The first characters of the response body.' })
  responseExcerpt: string | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Why the attempt failed, when it did.' })
  error: string | null;

  @Column({ type: 'boolean' })
  @Field(() => Boolean)
  ok: boolean;
}

/** The Standard Webhooks message id of a history event: stable across retries and endpoints. */
export function webhookEventId(historyEventId: string): string {
  return `evt_${historyEventId}`;
}
