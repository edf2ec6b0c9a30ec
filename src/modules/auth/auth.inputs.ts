import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { User } from '../user/user.entity';
import { ApiToken } from './api-token.entity';

@InputType()
export class LoginInput {
  @Field(() => String) email: string;
  @Field(() => String) password: string;
}

@ObjectType()
export class LoginPayload {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <token>`. Shown once.' }) token: string;
  @Field(() => DateTimeResolver) expiresAt: Date;
  @Field(() => User) user: User;
}

@ObjectType()
export class LogoutPayload {
  @Field(() => Boolean, { description: 'True when a login session was ended.' }) loggedOut: boolean;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => String) name: string;
  @Field(() => DateTimeResolver, { nullable: true, description: 'No expiry when omitted.' }) expiresAt?: Date | null;
}

@ObjectType()
export class CreateApiTokenPayload {
  @Field(() => String, { description: 'The secret: shown this once, stored only as a hash.' }) token: string;
  @Field(() => ApiToken) apiToken: ApiToken;
}

@InputType()
export class RevokeApiTokenInput {
  @Field(() => ID) tokenId: string;
}

@ObjectType()
export class RevokeApiTokenPayload {
  @Field(() => ApiToken) apiToken: ApiToken;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String, { nullable: true, description: 'Required when a password is already set.' }) currentPassword?: string | null;
  @Field(() => String) newPassword: string;
}

@ObjectType()
export class ChangePasswordPayload {
  @Field(() => User) user: User;
}
