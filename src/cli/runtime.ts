import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { openDatabase, type Database } from '../db/database';
import { createContext, type Context } from '../shared/context';
import { Authenticator } from '../modules/auth/authenticator';
import type { Actor } from '../shared/actor';
import { CpuPool } from '../cpu/cpu-pool';

export class CliError extends Error {}

export interface CliRuntime {
  config: Config;
  log: Logger;
  database: Database;
  authenticator: Authenticator;
  /** Resolves `--as <email>` or `--token <token>` to an actor. */
  actor(options: { as?: string; token?: string }): Promise<Actor>;
  /** Runs `work` through the services in one committed transaction, as `actor`. */
  run<T>(actor: Actor | null, work: (context: Context) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The CLI works on the same database the server uses (DATABASE_URL, or the embedded Postgres,
 * which it joins if a running server started it) and goes through the same services, so every
 * change it makes is authorised and recorded in history like one made over GraphQL.
 */
export async function openRuntime(): Promise<CliRuntime> {
  const config = loadConfig();
  // Logs go to stderr so command output (tokens, tables, exports) stays clean on stdout.
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
  const database = await openDatabase(config, log);
  const authenticator = new Authenticator(database.dataSource, { devAuth: false, jwt: null });
  const cpu = new CpuPool(config.cpu);
  const runtime: CliRuntime = {
    config,
    log,
    database,
    authenticator,
    async actor(options) {
      if (options.token) {
        const actor = await authenticator.authenticate({ authorization: `Bearer ${options.token}` });
        if (!actor) throw new CliError('The token is invalid, revoked or expired');
        return actor;
      }
      if (options.as) {
        const userId = await authenticator.userIdByEmail(options.as);
        if (!userId) throw new CliError(`No user has the email ${options.as}`);
        return authenticator.actorFor(userId, 'cli');
      }
      throw new CliError('Say who acts: --as <email> or --token <token>');
    },
    async run(actor, work) {
      const context = createContext({ dataSource: database.dataSource, log, config, cpu }, actor, randomUUID());
      context.db.setMode('write');
      try {
        const result = await work(context);
        await context.db.finish('commit');
        return result;
      } catch (error) {
        await context.db.finish('rollback');
        throw error;
      }
    },
    close: async () => {
      await cpu.destroy();
      await database.close();
    },
  };
  return runtime;
}
