import { randomBytes } from 'node:crypto';
import type { Context } from '../../shared/context';
import { loadTeamRow } from '../../shared/loaders';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { badInput } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { versionedUpdate } from '../../shared/versioned-update';
import { optionalText } from '../../shared/text';
import { diff, insertWithHistory, recordHistory, snapshot } from '../history/history.service';
import { authorize } from '../team/permissions';
import { OutboundPolicy, checkWebhookUrl } from './outbound';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint, type WebhookDeliveryState, type WebhookEventType } from './webhook.entities';
import type { CreateWebhookEndpointInput, DeleteWebhookEndpointInput, UpdateWebhookEndpointInput } from './webhook.inputs';
import { TEXT_LIMITS } from '../../shared/text-limits';

/** Fields kept in history (never the secret: history is readable by every member). */
const ENDPOINT_FIELDS = ['url', 'description', 'eventTypes', 'enabled', 'disabledReason', 'version'] as const;
const SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;
/** Endpoints per team: each event is one outbox row per subscribed endpoint, written in the change's transaction. */
export const MAX_ENDPOINTS_PER_TEAM = 20;

const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** A team's webhook endpoints and their delivery log: the OWNER's (permission `webhook.manage`). */
export class WebhookService {
  constructor(private readonly context: Context) {}

  private get policy(): OutboundPolicy {
    return new OutboundPolicy(this.context.config.webhooks?.allowedHosts ?? []);
  }

  async get(endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = await loadTeamRow(this.context, WebhookEndpoint, endpointId, 'WebhookEndpoint', (row) => row.deletedAt === null);
    authorize(requireActor(this.context), endpoint.teamId, 'webhook.manage', 'WebhookEndpoint');
    return endpoint;
  }

  getByGlobalId(globalId: string, field = 'id'): Promise<WebhookEndpoint> {
    return this.get(fromGlobalId(globalId, 'WebhookEndpoint', field));
  }

  async list(teamId: string, args: ConnectionArgs): Promise<ConnectionResult<WebhookEndpoint>> {
    authorize(requireActor(this.context), teamId, 'webhook.manage', 'Team');
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(WebhookEndpoint, 'endpoint').where('endpoint.team_id = :teamId AND endpoint.deleted_at IS NULL', { teamId });
    return paginate(
      query,
      [
        { expression: 'endpoint.created_at', direction: 'ASC', type: 'timestamptz' },
        { expression: 'endpoint.id', direction: 'ASC', type: 'uuid' },
      ],
      args,
    );
  }

  async create(input: CreateWebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const actor = requireActor(this.context);
    const teamId = fromGlobalId(input.teamId, 'Team', 'teamId');
    authorize(actor, teamId, 'webhook.manage', 'Team');
    const url = checkWebhookUrl(input.url, this.policy);
    const eventTypes = checkEventTypes(input.eventTypes);
    const description = optionalText(input.description, 'description', TEXT_LIMITS.webhookDescription.max);
    const secret = input.secret ?? newSecret();
    if (!SECRET.test(secret) || Buffer.from(secret.slice(6), 'base64').length < 24) {
      throw badInput('secret must be whsec_ followed by the base64 of 24 to 64 random bytes', 'secret');
    }
    return this.context.db.transaction(async (manager) => {
      // one at a time per team, so the cap holds under concurrent creates
      await manager.query('SELECT 1 FROM teams WHERE id = $1 FOR UPDATE', [teamId]);
      const [{ count }] = (await manager.query('SELECT count(*)::int AS count FROM webhook_endpoints WHERE team_id = $1 AND deleted_at IS NULL', [teamId])) as {
        count: number;
      }[];
      if (count >= MAX_ENDPOINTS_PER_TEAM) throw badInput(`A team may have at most ${MAX_ENDPOINTS_PER_TEAM} webhook endpoints`, 'teamId');
      const endpoint = await insertWithHistory(
        manager,
        WebhookEndpoint,
        {
          teamId,
          url,
          eventTypes,
          description,
          secret,
          enabled: input.enabled ?? true,
          version: 1,
          createdBy: actor.userId,
        },
        (created) => ({
          teamId,
          actorId: actor.userId,
          entityType: 'WebhookEndpoint',
          entityId: created.id,
          action: 'CREATE',
          after: snapshot(created, ENDPOINT_FIELDS),
        }),
      );
      return { endpoint, secret };
    });
  }

  async update(input: UpdateWebhookEndpointInput): Promise<{ endpoint: WebhookEndpoint; secret: string | null }> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.endpointId, 'endpointId');
    const changes: Partial<WebhookEndpoint> = {};
    if (input.url != null) changes.url = checkWebhookUrl(input.url, this.policy);
    if (input.eventTypes != null) changes.eventTypes = checkEventTypes(input.eventTypes);
    if (input.description !== undefined) changes.description = optionalText(input.description, 'description', TEXT_LIMITS.webhookDescription.max);
    if (input.enabled != null) {
      changes.enabled = input.enabled;
      // enabled again by its owner: the failures so far no longer count toward disabling it
      if (input.enabled) Object.assign(changes, { disabledReason: null, failingSince: null });
    }
    const secret = input.rotateSecret ? newSecret() : null;
    if (secret) changes.secret = secret;
    return this.context.db.transaction(async (manager) => {
      const { before, after } = await versionedUpdate(
        manager,
        WebhookEndpoint,
        'WebhookEndpoint',
        current.id,
        input.expectedVersion,
        { ...changes, updatedAt: new Date() },
        'deleted_at IS NULL',
      );
      const change = diff(before, after, ENDPOINT_FIELDS);
      await recordHistory(manager, {
        teamId: current.teamId,
        actorId: actor.userId,
        entityType: 'WebhookEndpoint',
        entityId: current.id,
        action: 'UPDATE',
        ...change,
        reason: secret ? 'signing secret rotated' : null,
      });
      this.context.loaders.clear();
      return { endpoint: after, secret };
    });
  }

  async delete(input: DeleteWebhookEndpointInput): Promise<string> {
    const actor = requireActor(this.context);
    const current = await this.getByGlobalId(input.endpointId, 'endpointId');
    await this.context.db.transaction(async (manager) => {
      const { before, after } = await versionedUpdate(
        manager,
        WebhookEndpoint,
        'WebhookEndpoint',
        current.id,
        input.expectedVersion,
        { deletedAt: new Date(), enabled: false },
        'deleted_at IS NULL',
      );
      await recordHistory(manager, {
        teamId: current.teamId,
        actorId: actor.userId,
        entityType: 'WebhookEndpoint',
        entityId: current.id,
        action: 'DELETE',
        ...diff(before, after, ENDPOINT_FIELDS),
      });
    });
    this.context.loaders.clear();
    return current.nodeId;
  }

  /** The endpoint's deliveries, newest first. */
  async deliveries(
    endpoint: WebhookEndpoint,
    states: WebhookDeliveryState[] | null | undefined,
    args: ConnectionArgs,
  ): Promise<ConnectionResult<WebhookDelivery>> {
    authorize(requireActor(this.context), endpoint.teamId, 'webhook.manage', 'WebhookEndpoint');
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(WebhookDelivery, 'delivery').where('delivery.endpoint_id = :id', { id: endpoint.id });
    if (states?.length) query.andWhere('delivery.state = ANY(:states)', { states });
    return paginate(query, [{ expression: 'delivery.id', direction: 'DESC', type: 'bigint' }], args);
  }

  /** Every attempt of a delivery, oldest first (one query for all deliveries of a page). */
  attempts(delivery: WebhookDelivery): Promise<WebhookAttempt[]> {
    return this.context.loaders
      .keyed<string, WebhookAttempt[]>('webhookAttempts', async (deliveryIds) => {
        const manager = await this.context.db.manager();
        const rows = await manager
          .createQueryBuilder(WebhookAttempt, 'attempt')
          .where('attempt.delivery_id = ANY(:ids) AND attempt.team_id = ANY(:teamIds)', { ids: [...deliveryIds], teamIds: [...this.context.db.teamIds] })
          .orderBy('attempt.id', 'ASC')
          .getMany();
        return deliveryIds.map((id) => rows.filter((row) => row.deliveryId === id));
      })
      .load(delivery.id);
  }
}

function checkEventTypes(eventTypes: WebhookEventType[]): WebhookEventType[] {
  const distinct = [...new Set(eventTypes)];
  if (distinct.length === 0) throw badInput('eventTypes must name at least one event type', 'eventTypes');
  return distinct;
}
