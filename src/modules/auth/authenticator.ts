import type { DataSource } from 'typeorm';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Actor } from '../../shared/actor';
import type { Role } from '../team/role';
import { hashToken, looksLikeToken } from './secrets';

export const DEV_USER_HEADER = 'x-claimgraph-user';
export const DEFAULT_LOCAL_EMAIL = 'local@claimgraph.localhost';

export interface JwtOptions {
  jwksUrl: string;
  issuer?: string | null;
  audience?: string | null;
  /** Claim holding the user's email; the user must exist in claimgraph. */
  emailClaim: string;
}

export interface AuthenticatorOptions {
  /** Accept X-Claimgraph-User and fall back to a default local user. Never in production. */
  devAuth: boolean;
  jwt?: JwtOptions | null;
  /** AUTH_CACHE_TTL_MS: how long a looked-up token may answer again without Postgres (0 or absent: never). */
  cacheTtlMs?: number;
  /** Tells this process's other workers which users' credentials changed (WEB_CONCURRENCY). */
  broadcast?: (userIds: string[]) => void;
}

export interface AuthResult {
  actor: Actor | null;
  /** Why credentials that were sent were refused (null when none were sent or they were fine). */
  error: string | null;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

type MembershipRows = [string, Role][];

interface TokenRow {
  token_id: string;
  user_id: string;
  kind: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  memberships: MembershipRows;
}

/**
 * Tokens looked up in the last `ttlMs`, by hash: on this machine a lookup was a round trip to
 * Postgres on every request, about a tenth of the server's CPU on a verdict write (bench/README).
 * Only tokens found valid are kept (unknown ones cannot fill it), at most `capacity`, oldest out
 * first. Whatever changes a user's credentials (logout, revocation, password, membership, a new
 * team) forgets that user's entries once it commits, here and in the other workers.
 */
class TokenCache {
  private readonly entries = new Map<string, { row: TokenRow; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
  ) {}

  get(key: string): TokenRow | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.row;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, row: TokenRow): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { row, until: Date.now() + this.ttlMs });
  }

  forgetUsers(userIds: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) if (userIds.has(entry.row.user_id)) this.entries.delete(key);
  }
}

/**
 * Turns request credentials into an Actor. Transports (HTTP, WebSocket, CLI) call this and
 * nothing else; services only ever see the Actor. Order: `Authorization: Bearer` (a claimgraph
 * token, or a JWT from the newsroom's identity provider when JWKS is configured), then — only
 * with the explicit development flag — the X-Claimgraph-User header or a default local user.
 */
export class Authenticator {
  private readonly jwks: JWTVerifyGetKey | null;
  private readonly tokens: TokenCache;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuthenticatorOptions,
  ) {
    this.jwks = options.jwt ? createRemoteJWKSet(new URL(options.jwt.jwksUrl), { cacheMaxAge: 10 * 60_000 }) : null;
    this.tokens = new TokenCache(options.cacheTtlMs ?? 0);
  }

  /**
   * These users' tokens, roles or teams changed (and the change committed): look them up again,
   * in this process and, through `broadcast`, in the other workers.
   */
  credentialsChanged(userIds: readonly string[]): void {
    this.forget(userIds);
    this.options.broadcast?.([...userIds]);
  }

  /** Forgets what the cache holds for these users (a change made here or in another worker). */
  forget(userIds: readonly string[]): void {
    if (userIds.length) this.tokens.forgetUsers(new Set(userIds));
  }

  /** The caller, or null for no or refused credentials. */
  async authenticate(headers: Headers): Promise<Actor | null> {
    return (await this.authenticateRequest(headers)).actor;
  }

  async authenticateRequest(headers: Headers): Promise<AuthResult> {
    const authorization = header(headers, 'authorization');
    if (authorization) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) return { actor: null, error: 'The Authorization header must be "Bearer <token>"' };
      const credential = match[1];
      if (looksLikeToken(credential)) return this.fromToken(credential);
      if (this.jwks && credential.split('.').length === 3) return this.fromJwt(credential);
      return { actor: null, error: 'Invalid token' };
    }
    if (!this.options.devAuth) return { actor: null, error: null };
    const requested = header(headers, DEV_USER_HEADER)?.trim().toLowerCase();
    if (requested !== undefined && !/^[^@\s]+@[^@\s]+$/.test(requested)) {
      return { actor: null, error: `${DEV_USER_HEADER} must be an email address` };
    }
    const email = requested || DEFAULT_LOCAL_EMAIL;
    const userId = await this.ensureUser(email);
    return { actor: await this.actorFor(userId, requested ? 'dev-header' : 'default-user'), error: null };
  }

  /** The actor for a known user id (CLI, JWT, tests). */
  async actorFor(userId: string, via: string, tokenId: string | null = null): Promise<Actor> {
    const [row] = (await this.dataSource.query('SELECT claimgraph_user_memberships($1) AS memberships', [userId])) as {
      memberships: MembershipRows;
    }[];
    return new Actor(userId, new Map(row.memberships), via, tokenId);
  }

  async userIdByEmail(email: string): Promise<string | null> {
    // a SECURITY DEFINER function: the application's role cannot read users outside its teams
    const rows = (await this.dataSource.query('SELECT claimgraph_user_id_by_email($1) AS id', [email])) as { id: string | null }[];
    return rows[0]?.id ?? null;
  }

  private async fromToken(token: string): Promise<AuthResult> {
    const hash = hashToken(token);
    const key = hash.toString('base64');
    let row = this.tokens.get(key);
    if (!row) {
      [row] = (await this.dataSource.query('SELECT * FROM claimgraph_authenticate($1)', [hash])) as TokenRow[];
      // One message for unknown, revoked and expired tokens: a probe learns nothing about which.
      if (!row || row.revoked_at) return { actor: null, error: 'Invalid or expired token' };
      this.tokens.set(key, row);
    }
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) return { actor: null, error: 'Invalid or expired token' };
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      // At most one write a minute per token; a failure here must not fail the request.
      row.last_used_at = new Date();
      this.dataSource.query('SELECT claimgraph_token_used($1)', [row.token_id]).catch(() => undefined);
    }
    return { actor: new Actor(row.user_id, new Map(row.memberships), row.kind === 'SESSION' ? 'session' : 'token', row.token_id), error: null };
  }

  private async fromJwt(jwt: string): Promise<AuthResult> {
    const options = this.options.jwt!;
    try {
      const { payload } = await jwtVerify(jwt, this.jwks!, {
        issuer: options.issuer ?? undefined,
        audience: options.audience ?? undefined,
      });
      const email = payload[options.emailClaim];
      if (typeof email !== 'string') return { actor: null, error: 'Invalid token' };
      const userId = await this.userIdByEmail(email);
      if (!userId) return { actor: null, error: 'Invalid token' };
      return { actor: await this.actorFor(userId, 'jwt'), error: null };
    } catch {
      return { actor: null, error: 'Invalid token' };
    }
  }

  private async ensureUser(email: string): Promise<string> {
    const existing = await this.userIdByEmail(email);
    if (existing) return existing;
    const name = email === DEFAULT_LOCAL_EMAIL ? 'Local user' : email.split('@')[0];
    const rows = (await this.dataSource.query('SELECT claimgraph_ensure_user($1, $2) AS id', [email, name])) as { id: string }[];
    return rows[0].id;
  }
}
