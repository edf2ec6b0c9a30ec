import { Arg, Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../shared/context';
import { ConnectionArgs, connectionType, type ConnectionResult } from '../../shared/pagination';
import { DomainError, ErrorCode } from '../../shared/errors';
import { User } from '../user/user.entity';
import { ApiToken } from './api-token.entity';
import {
  ChangePasswordInput,
  ChangePasswordPayload,
  CreateApiTokenInput,
  CreateApiTokenPayload,
  LoginInput,
  LoginPayload,
  LogoutPayload,
  RevokeApiTokenInput,
  RevokeApiTokenPayload,
} from './auth.inputs';

export const ApiTokenConnection = connectionType(ApiToken, 'ApiToken');

@Resolver(() => User)
export class AuthResolver {
  @Mutation(() => LoginPayload, { description: 'Password login; returns a session token for `Authorization: Bearer`.' })
  login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() context: Context): Promise<LoginPayload> {
    return context.services.auth.login(input.email, input.password);
  }

  @Mutation(() => LogoutPayload, { description: 'Ends the login session the request was made with.' })
  async logout(@Ctx() context: Context): Promise<LogoutPayload> {
    return { loggedOut: await context.services.auth.logout() };
  }

  @Mutation(() => CreateApiTokenPayload, { description: 'A personal API token for scripts; the secret is returned once.' })
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() context: Context): Promise<CreateApiTokenPayload> {
    return context.services.auth.createApiToken(input.name, input.expiresAt);
  }

  @Mutation(() => RevokeApiTokenPayload)
  async revokeApiToken(@Arg('input', () => RevokeApiTokenInput) input: RevokeApiTokenInput, @Ctx() context: Context): Promise<RevokeApiTokenPayload> {
    return { apiToken: await context.services.auth.revokeApiToken(input.tokenId) };
  }

  @Mutation(() => ChangePasswordPayload, { description: 'Sets your password; your other login sessions end.' })
  async changePassword(@Arg('input', () => ChangePasswordInput) input: ChangePasswordInput, @Ctx() context: Context): Promise<ChangePasswordPayload> {
    return { user: await context.services.auth.changePassword(input.currentPassword, input.newPassword) };
  }

  @FieldResolver(() => ApiTokenConnection, { description: 'Your personal API tokens (only on yourself).' })
  apiTokens(@Root() user: User, @Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() context: Context): Promise<ConnectionResult<ApiToken>> {
    if (context.session.actor?.userId !== user.id) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only you can list your API tokens');
    }
    return context.services.auth.apiTokens(args);
  }
}
