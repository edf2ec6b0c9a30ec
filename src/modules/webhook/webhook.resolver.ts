import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { Team } from '../team/team.entity';
import { HistoryArgs } from '../history/history.inputs';
import { HistoryEventConnection } from '../history/history.resolver';
import type { HistoryEvent } from '../history/history-event.entity';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entities';
import {
  CreateWebhookEndpointInput,
  DeleteWebhookEndpointInput,
  DeleteWebhookEndpointPayload,
  UpdateWebhookEndpointInput,
  WebhookDeliveriesArgs,
  WebhookEndpointPayload,
} from './webhook.inputs';

export const WebhookEndpointConnection = connectionType(WebhookEndpoint, 'WebhookEndpoint');
export const WebhookDeliveryConnection = connectionType(WebhookDelivery, 'WebhookDelivery');

@Resolver(() => WebhookEndpoint)
export class WebhookEndpointResolver {
  @Mutation(() => WebhookEndpointPayload, { description: 'Adds a webhook endpoint (OWNER); the payload carries its signing secret, once.' })
  async createWebhookEndpoint(
    @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<WebhookEndpointPayload> {
    return context.services.webhooks.create(input);
  }

  @Mutation(() => WebhookEndpointPayload, { description: 'Changes, enables, disables an endpoint or rotates its secret (OWNER).' })
  async updateWebhookEndpoint(
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<WebhookEndpointPayload> {
    return context.services.webhooks.update(input);
  }

  @Mutation(() => DeleteWebhookEndpointPayload, { description: 'Removes an endpoint (OWNER); its pending deliveries are not sent.' })
  async deleteWebhookEndpoint(
    @Arg('input', () => DeleteWebhookEndpointInput) input: DeleteWebhookEndpointInput,
    @Ctx() context: Context,
  ): Promise<DeleteWebhookEndpointPayload> {
    return { deletedEndpointId: await context.services.webhooks.delete(input) };
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'The delivery log, newest first.' })
  deliveries(
    @Root() endpoint: WebhookEndpoint,
    @Args(() => WebhookDeliveriesArgs) args: WebhookDeliveriesArgs,
    @Ctx() context: Context,
  ): Promise<ConnectionResult<WebhookDelivery>> {
    return context.services.webhooks.deliveries(endpoint, args.states, args);
  }

  @FieldResolver(() => HistoryEventConnection, { description: 'Changes to the endpoint, including the worker disabling it.' })
  history(@Root() endpoint: WebhookEndpoint, @Args(() => HistoryArgs) args: HistoryArgs, @Ctx() context: Context): Promise<ConnectionResult<HistoryEvent>> {
    return context.services.history.list({ entityId: endpoint.id }, endpoint.teamId, args);
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => [WebhookAttempt], { description: 'Every attempt, oldest first.' })
  attemptLog(@Root() delivery: WebhookDelivery, @Ctx() context: Context): Promise<WebhookAttempt[]> {
    return context.services.webhooks.attempts(delivery);
  }
}

@Resolver(() => Team)
export class TeamWebhooksResolver {
  @FieldResolver(() => WebhookEndpointConnection, { description: "The team's webhook endpoints (OWNER)." })
  webhookEndpoints(@Root() team: Team, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<WebhookEndpoint>> {
    return context.services.webhooks.list(team.id, args);
  }
}

export const webhookResolvers = [WebhookEndpointResolver, WebhookDeliveryResolver, TeamWebhooksResolver] as const;
