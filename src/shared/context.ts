import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { RequestDb } from '../db/request-db';
import { Loaders } from './loaders';
import type { Actor } from './actor';
import { Services } from '../services';

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
}

export interface Session {
  /** Null when the request carries no valid credentials. */
  actor: Actor | null;
}

export interface ContextDeps {
  dataSource: DataSource;
  log: Logger;
}

export function createContext(deps: ContextDeps, actor: Actor | null, requestId: string): Context {
  const db = new RequestDb(deps.dataSource, { userId: actor?.userId ?? null, teamIds: actor?.teamIds ?? [] });
  const loaders = new Loaders(db);
  const log = deps.log.child({ requestId, userId: actor?.userId });
  const context: Context = { requestId, session: { actor }, db, loaders, log, services: undefined as unknown as Services };
  context.services = new Services(context);
  return context;
}
