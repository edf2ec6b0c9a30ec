import type { DataSource } from 'typeorm';
import { Actor } from '../../shared/actor';
import { Role } from '../team/role';

export const DEV_USER_HEADER = 'x-claimgraph-user';
export const DEFAULT_LOCAL_EMAIL = 'local@claimgraph.localhost';

export interface AuthenticatorOptions {
  /** Accept X-Claimgraph-User and fall back to a default local user (development only). */
  devAuth: boolean;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Turns request credentials into an Actor. Transport code (HTTP, WebSocket) calls this and
 * nothing else; services only ever see the Actor.
 */
export class Authenticator {
  constructor(private readonly dataSource: DataSource, private readonly options: AuthenticatorOptions) {}

  async authenticate(headers: Headers): Promise<Actor | null> {
    if (!this.options.devAuth) return null;
    const requested = header(headers, DEV_USER_HEADER)?.trim().toLowerCase();
    if (requested !== undefined && !/^[^@\s]+@[^@\s]+$/.test(requested)) return null;
    const email = requested || DEFAULT_LOCAL_EMAIL;
    const userId = await this.ensureUser(email);
    return this.actorFor(userId, requested ? 'dev-header' : 'default-user');
  }

  async actorFor(userId: string, via: string): Promise<Actor> {
    const rows = (await this.dataSource.query('SELECT team_id, role FROM memberships WHERE user_id = $1', [userId])) as {
      team_id: string;
      role: Role;
    }[];
    return new Actor(userId, new Map(rows.map((row) => [row.team_id, row.role])), via);
  }

  private async ensureUser(email: string): Promise<string> {
    const name = email === DEFAULT_LOCAL_EMAIL ? 'Local user' : email.split('@')[0];
    const existing = (await this.dataSource.query('SELECT id FROM users WHERE email = $1', [email])) as { id: string }[];
    if (existing.length) return existing[0].id;
    const rows = (await this.dataSource.query(
      `INSERT INTO users (email, name) VALUES ($1, $2)
       ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email
       RETURNING id`,
      [email, name],
    )) as { id: string }[];
    return rows[0].id;
  }
}
