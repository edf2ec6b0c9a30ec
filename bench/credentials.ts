import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { Authenticator } from '../src/modules/auth/authenticator';
import { createContext } from '../src/shared/context';
import { loadConfig } from '../src/config';
import { AuthService } from '../src/modules/auth/auth.service';

/**
 * How bench requests authenticate. With the token service in place, each bench user gets a
 * personal API token created through AuthService (authorised and recorded in history like any
 * other); the development header is only the fallback for a tree without it.
 */
export type AuthMode = 'token' | 'dev-header';

export interface Credential {
  userId: string;
  email: string;
  /** Headers to send, e.g. { authorization: 'Bearer cg_...' }. */
  headers: Record<string, string>;
}

interface TokenService {
  createApiToken(name: string, expiresAt: Date | null): Promise<{ token: string }>;
}

export function tokenServiceAvailable(): boolean {
  return typeof (AuthService.prototype as Partial<TokenService>).createApiToken === 'function';
}

export async function createCredentials(
  dataSource: DataSource,
  users: { id: string; email: string }[],
): Promise<{ mode: AuthMode; credentials: Credential[] }> {
  if (!tokenServiceAvailable()) {
    return {
      mode: 'dev-header',
      credentials: users.map((user) => ({ userId: user.id, email: user.email, headers: { 'x-claimgraph-user': user.email } })),
    };
  }
  const config = loadConfig({ ...process.env, DATABASE_URL: '' });
  const authenticator = new Authenticator(dataSource, { devAuth: false });
  const log = pino({ level: 'silent' });
  const credentials: Credential[] = [];
  for (const user of users) {
    const actor = await authenticator.actorFor(user.id, 'bench');
    const context = createContext({ dataSource, log, config }, actor, randomUUID());
    context.db.setMode('write');
    try {
      const services = context.services as unknown as { auth: TokenService };
      const { token } = await services.auth.createApiToken('claimgraph bench', null);
      await context.db.finish('commit');
      credentials.push({ userId: user.id, email: user.email, headers: { authorization: `Bearer ${token}` } });
    } catch (error) {
      await context.db.finish('rollback');
      throw error;
    }
  }
  return { mode: 'token', credentials };
}
