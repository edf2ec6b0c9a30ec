import { ArgsType, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionArgs } from '../../shared/pagination';
import { WebhookDeliveryState, WebhookEndpoint, WebhookEventType } from './webhook.entities';

@InputType()
export class CreateWebhookEndpointInput {
  @Field(() => ID) teamId: string;
  @Field(() => String, { description: 'An http(s) URL on a public address (see WEBHOOK_ALLOWED_HOSTS).' }) url: string;
  @Field(() => [WebhookEventType], { description: 'At least one.' }) eventTypes: WebhookEventType[];
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) enabled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'A Standard Webhooks secret (whsec_ + base64 of 24 to 64 bytes); omit to have one generated.' })
  secret?: string | null;
}

@InputType()
export class UpdateWebhookEndpointInput {
  @Field(() => ID) endpointId: string;
  @Field(() => Int) expectedVersion: number;
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [WebhookEventType], { nullable: true }) eventTypes?: WebhookEventType[] | null;
  @Field(() => String, { nullable: true, description: 'Explicit null clears it.' }) description?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Enabling again clears the reason it was disabled; deliveries waiting for it resume.' })
  enabled?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'true: a new signing secret, returned once in the payload.' })
  rotateSecret?: boolean | null;
}

@InputType()
export class DeleteWebhookEndpointInput {
  @Field(() => ID) endpointId: string;
  @Field(() => Int) expectedVersion: number;
}

@ObjectType()
export class WebhookEndpointPayload {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field(() => String, { nullable: true, description: 'The signing secret: only when it was just created or rotated. Store it; it is not shown again.' })
  secret: string | null;
}

@ObjectType()
export class DeleteWebhookEndpointPayload {
  @Field(() => ID) deletedEndpointId: string;
}

@ArgsType()
export class WebhookDeliveriesArgs extends ConnectionArgs {
  @Field(() => [WebhookDeliveryState], { nullable: true, description: 'Only deliveries in these states.' })
  states?: WebhookDeliveryState[] | null;
}
