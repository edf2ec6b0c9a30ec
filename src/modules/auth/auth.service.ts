import type { Context } from '../../shared/context';
import { requireActor } from '../../shared/actor';
import { fromGlobalId } from '../../shared/ids';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { paginate, type ConnectionArgs, type ConnectionResult } from '../../shared/pagination';
import { checkText, requiredText } from '../../shared/text';
import { validDate } from '../../shared/values';
import { recordHistory } from '../history/history.service';
import { User } from '../user/user.entity';
import { ApiToken, TokenKind } from './api-token.entity';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, type PasswordParams, hashPassword, needsRehash, newToken, passwordCandidate } from './secrets';
import { TEXT_LIMITS } from '../../shared/text-limits';

const INVALID_LOGIN = 'Invalid email or password';

export function checkNewPassword(password: string): string {
  checkText(password, 'newPassword', { max: MAX_PASSWORD_LENGTH, allowBlank: true });
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw badInput(`The password must have at least ${MIN_PASSWORD_LENGTH} characters`, 'newPassword');
  }
  return password;
}

/** Logins, sessions, personal API tokens and passwords. */
export class AuthService {
  constructor(private readonly context: Context) {}

  /**
   * Password login for front ends. Unknown email and wrong password take the same time (one
   * argon2id hash and two statements each) and give the same answer.
   */
  async login(email: string, password: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    if (typeof email !== 'string' || typeof password !== 'string' || email.length > 320 || password.length > MAX_PASSWORD_LENGTH) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, INVALID_LOGIN);
    }
    const manager = await this.context.db.manager();
    // the application's role never reads a password hash: the stored hash's parameters and salt,
    // the password hashed with them here, and the database says whether that is the stored hash
    const [account] = (await manager.query(
      `SELECT u.id AS user_id, p.params, p.hash_length
         FROM claimgraph_user_id_by_email($1) AS u(id) LEFT JOIN LATERAL claimgraph_password_params(u.id) p ON true`,
      [email],
    )) as { user_id: string | null; params: string | null; hash_length: number | null }[];
    const stored: PasswordParams | null = account?.user_id && account.params ? { params: account.params, hashLength: Number(account.hash_length) } : null;
    const candidate = await passwordCandidate(stored, password);
    const [check] = (await manager.query('SELECT claimgraph_password_matches($1, $2) AS matches', [stored ? account.user_id : null, candidate])) as {
      matches: boolean;
    }[];
    if (!stored || !check.matches) throw new DomainError(ErrorCode.UNAUTHENTICATED, INVALID_LOGIN);
    const userId = account.user_id as string;
    const secret = newToken();
    const expiresAt = new Date(Date.now() + this.context.config.sessionTtlHours * 3_600_000);
    const rehash = needsRehash(stored) ? await hashPassword(password) : null;
    await this.context.db.transaction(async (tx) => {
      // from here the request acts for the user who proved who they are: row-level security lets
      // it write their session and their own row, nobody else's
      await tx.query(`SELECT set_config('claimgraph.user_id', $1, true)`, [userId]);
      // Every hash converges on today's parameters, so all logins cost the same.
      if (rehash) await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [userId, rehash]);
      await tx.insert(ApiToken, {
        userId,
        kind: TokenKind.SESSION,
        name: 'login session',
        tokenHash: secret.hash,
        prefix: secret.prefix,
        expiresAt,
      });
    });
    const user = await this.context.loaders.entity(User, false).load(userId);
    return { token: secret.token, expiresAt, user: user! };
  }

  /** Ends the login session this request was made with. */
  async logout(): Promise<boolean> {
    const actor = requireActor(this.context);
    if (actor.via !== 'session' || !actor.tokenId) return false;
    this.context.credentialsChanged(actor.userId);
    return this.context.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(ApiToken)
        .set({ revokedAt: () => 'now()' })
        .where('id = :id AND user_id = :userId AND revoked_at IS NULL', { id: actor.tokenId, userId: actor.userId })
        .execute();
      return result.affected === 1;
    });
  }

  async createApiToken(name: string, expiresAt: Date | null | undefined): Promise<{ token: string; apiToken: ApiToken }> {
    const actor = requireActor(this.context);
    const tokenName = requiredText(name, 'name', TEXT_LIMITS.name.max);
    const expiry = validDate(expiresAt, 'expiresAt');
    if (expiry && expiry.getTime() <= Date.now()) throw badInput('expiresAt must be in the future', 'expiresAt');
    const secret = newToken();
    const apiToken = await this.context.db.transaction(async (manager) => {
      const row = manager.create(ApiToken, {
        userId: actor.userId,
        kind: TokenKind.API,
        name: tokenName,
        tokenHash: secret.hash,
        prefix: secret.prefix,
        expiresAt: expiry,
      });
      await manager.insert(ApiToken, row);
      await recordHistory(manager, {
        teamId: null,
        actorId: actor.userId,
        entityType: 'ApiToken',
        entityId: row.id,
        action: 'CREATE',
        after: { name: tokenName, prefix: secret.prefix, expiresAt: expiry },
      });
      return manager.findOneByOrFail(ApiToken, { id: row.id });
    });
    return { token: secret.token, apiToken };
  }

  async revokeApiToken(globalId: string): Promise<ApiToken> {
    const actor = requireActor(this.context);
    const tokenId = fromGlobalId(globalId, 'ApiToken', 'tokenId');
    this.context.credentialsChanged(actor.userId);
    return this.context.db.transaction(async (manager) => {
      const token = await manager.findOneBy(ApiToken, { id: tokenId, userId: actor.userId });
      if (!token) throw notFound('ApiToken');
      if (token.revokedAt) return token;
      await manager.update(ApiToken, { id: tokenId }, { revokedAt: new Date() });
      await recordHistory(manager, {
        teamId: null,
        actorId: actor.userId,
        entityType: 'ApiToken',
        entityId: tokenId,
        action: 'REVOKE',
        before: { revokedAt: null },
        after: { revokedAt: new Date() },
      });
      return manager.findOneByOrFail(ApiToken, { id: tokenId });
    });
  }

  /** One of the caller's own tokens (Relay's node(id)); anyone else's is NOT_FOUND, like a missing one. */
  async apiToken(tokenId: string): Promise<ApiToken> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const token = await manager.findOneBy(ApiToken, { id: tokenId, userId: actor.userId });
    if (!token) throw notFound('ApiToken');
    return token;
  }

  async apiTokens(args: ConnectionArgs): Promise<ConnectionResult<ApiToken>> {
    const actor = requireActor(this.context);
    const manager = await this.context.db.manager();
    const query = manager.createQueryBuilder(ApiToken, 'token').where('token.user_id = :userId', { userId: actor.userId }).andWhere(`token.kind = 'API'`);
    return paginate(
      query,
      [
        { expression: 'token.created_at', direction: 'DESC', type: 'timestamptz' },
        { expression: 'token.id', direction: 'DESC', type: 'uuid' },
      ],
      args,
    );
  }

  async changePassword(currentPassword: string | null | undefined, newPassword: string): Promise<User> {
    const actor = requireActor(this.context);
    checkNewPassword(newPassword);
    const manager = await this.context.db.manager();
    const [own] = (await manager.query('SELECT params, hash_length FROM claimgraph_password_params($1)', [actor.userId])) as {
      params: string;
      hash_length: number;
    }[];
    // an account without a password (created for single sign-on) may set one without a current one
    if (own) {
      const candidate = await passwordCandidate({ params: own.params, hashLength: Number(own.hash_length) }, currentPassword ?? '');
      const [check] = (await manager.query('SELECT claimgraph_password_matches($1, $2) AS matches', [actor.userId, candidate])) as { matches: boolean }[];
      if (!check.matches) throw new DomainError(ErrorCode.FORBIDDEN, 'The current password is not right');
    }
    const hash = await hashPassword(newPassword);
    this.context.credentialsChanged(actor.userId);
    await this.context.db.transaction(async (tx) => {
      await tx.query('UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1', [actor.userId, hash]);
      // Other sessions end: a changed password must lock out whoever had the old one.
      await tx.query(`UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND kind = 'SESSION' AND revoked_at IS NULL AND id IS DISTINCT FROM $2`, [
        actor.userId,
        actor.tokenId,
      ]);
      await recordHistory(tx, {
        teamId: null,
        actorId: actor.userId,
        entityType: 'User',
        entityId: actor.userId,
        action: 'CHANGE_PASSWORD',
      });
    });
    this.context.loaders.clear();
    return (await this.context.loaders.entity(User, false).load(actor.userId))!;
  }
}
