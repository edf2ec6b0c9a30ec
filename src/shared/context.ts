import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { RequestDb } from '../db/request-db';
import type { ReadReplica } from '../db/read-replica';
import { Loaders } from './loaders';
import type { Actor } from './actor';
import { Services } from '../services';
import type { Config } from '../config';
import { defaultCpuPool, type CpuPool } from '../cpu/cpu-pool';

/** What every resolver gets. Built per request (HTTP or WebSocket) by `createContext`. */
export interface Context {
  requestId: string;
  /**
   * The caller, held by reference: Apollo may shallow-copy the context object, and a mutation
   * such as createTeam changes the caller's memberships for the rest of the request.
   */
  session: Session;
  db: RequestDb;
  loaders: Loaders;
  services: Services;
  log: Logger;
  /** `webhooks` where webhook endpoints are managed (its allow-list); absent: no exceptions. */
  config: Pick<Config, 'sessionTtlHours'> & Partial<Pick<Config, 'webhooks'>>;
  /** Worker threads for CPU-heavy steps (HTML to text, extraction, re-anchoring): never on the event loop. */
  cpu: CpuPool;
  /** These users' tokens, roles or teams change in this request: cached credentials go once it commits. */
  credentialsChanged(userId: string): void;
}

/** Where cached credentials live (the Authenticator): told which users changed. */
export interface CredentialStore {
  credentialsChanged(userIds: readonly string[]): void;
}

export interface Session {
  /** Null when the request carries no valid credentials. */
  actor: Actor | null;
  /** Why sent credentials were refused; reported by the first operation that needs a caller. */
  authError?: string | null;
}

export interface ContextDeps {
  dataSource: DataSource;
  log: Logger;
  config: Pick<Config, 'sessionTtlHours'> & Partial<Pick<Config, 'webhooks'>>;
  /** STATEMENT_TIMEOUT_MS, applied to every request transaction (unset: no timeout). */
  statementTimeoutMs?: number;
  /** Cached credentials to invalidate after changes (the server's Authenticator; none in the CLI). */
  credentials?: CredentialStore;
  /** The process's CPU pool (configured by the server or CLI); else one with default settings. */
  cpu?: CpuPool;
  /** The read replica (DATABASE_READ_URL) requests that ask for it may read from; none: the primary. */
  replica?: ReadReplica | null;
}

export function createContext(deps: ContextDeps, actor: Actor | null, requestId: string, authError: string | null = null): Context {
  const db = new RequestDb(deps.dataSource, { userId: actor?.userId ?? null, teamIds: actor?.teamIds ?? [] }, undefined, {
    statementTimeoutMs: deps.statementTimeoutMs,
    replica: deps.replica,
  });
  const loaders = new Loaders(db);
  const changed = new Set<string>();
  const credentialsChanged = (userId: string): void => {
    if (!deps.credentials) return;
    if (changed.size === 0) db.afterCommit(() => deps.credentials!.credentialsChanged([...changed]));
    changed.add(userId);
  };
  let log: Logger | null = null;
  // The child logger is made on first use: a pino child (with its redaction setup) costs CPU on
  // every request, and most requests never log. The getter sits on a prototype of the request's
  // own: Apollo shallow-copies the context (Object.assign, own properties), which would call an
  // own getter, and so make the child, on every request.
  const lazy = Object.create(Object.prototype, {
    log: {
      get(): Logger {
        log ??= deps.log.child({ requestId, userId: actor?.userId });
        return log;
      },
    },
  }) as { readonly log: Logger };
  const context: Context = Object.assign(Object.create(lazy) as Context, {
    requestId,
    session: { actor, authError },
    db,
    loaders,
    config: deps.config,
    cpu: deps.cpu ?? defaultCpuPool(),
    credentialsChanged,
    services: undefined as unknown as Services,
  });
  context.services = new Services(context);
  return context;
}
