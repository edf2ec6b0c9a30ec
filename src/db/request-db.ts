import { createHash } from 'node:crypto';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { QueryFailedError } from 'typeorm';
import pg from 'pg';
import { DomainError, ErrorCode } from '../shared/errors';
import { splitStatements } from './statement-counter';
import { COMMIT_LSN_QUERY, laterLsn, lsnToken, type LsnToken, type ReadReplica } from './read-replica';

/** Who the database work is done for; set per transaction, never left on a pooled connection. */
export interface DbScope {
  userId: string | null;
  teamIds: string[];
}

export type TransactionMode = 'read' | 'write';

/** The non-owner role every request runs as (created by the AuthAndRowLevelSecurity migration). */
export const APP_ROLE = 'claimgraph_app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Prepared statement names by SQL text. Every connection keeps the statements it prepared, so
 * their number is capped: past the cap, further texts simply run unprepared.
 */
const preparedNames = new Map<string, string>();
const MAX_PREPARED = 500;

function preparedName(sql: string): string | null {
  let name = preparedNames.get(sql);
  if (!name) {
    if (preparedNames.size >= MAX_PREPARED) return null;
    name = `cg_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    preparedNames.set(sql, name);
  }
  return name;
}

/**
 * One request's database work: one connection, one transaction, opened on first use and ended
 * by `finish()` when the response is ready. Reads of one query operation therefore see a single
 * consistent snapshot. Each mutation runs in its own savepoint, so a failed mutation leaves
 * nothing behind while the ones before it in the same operation still commit.
 */
export class RequestDb {
  private runner: QueryRunner | null = null;
  /** The runner's pg connection, on which RequestDb itself begins and ends the transaction. */
  private client: pg.PoolClient | null = null;
  private opening: Promise<QueryRunner> | null = null;
  private finished = false;
  private savepoints = 0;
  private scope: DbScope;
  /** The command tag Postgres answered the last COMMIT with (COMMIT, or ROLLBACK for an aborted transaction). */
  private commitCommand: string | null = null;
  /** A one-round-trip mutation in flight (see `mutationStatement`): opening waits for it. */
  private alone: Promise<unknown> | null = null;
  private readonly committed: (() => void)[] = [];
  /** Set by `preferReplica`: a read transaction opens on the replica when there is one. */
  private replicaWanted = false;
  /** The WAL position a replica must have replayed before this request may read there (the client's last write). */
  private minLsn: LsnToken | null = null;
  /** Where the transaction was opened (null until it is). */
  private served: 'primary' | 'replica' | null = null;
  /**
   * With a replica configured: the WAL position of the request's last commit, for the client to
   * send back so that its next reads on the replica see what it wrote.
   */
  commitLsn: LsnToken | null = null;

  constructor(
    /** For entity metadata (hydrating rows); queries go through the methods below. */
    readonly dataSource: DataSource,
    scope: DbScope,
    private mode: TransactionMode = 'write',
    /** statement_timeout for every statement of the transaction (0: none), so one slow query cannot hold a connection. */
    private readonly options: { statementTimeoutMs?: number; replica?: ReadReplica | null } = {},
  ) {
    this.scope = { userId: scope.userId, teamIds: [...scope.teamIds] };
  }

  /** Called before first use once the operation type is known; queries get a read-only snapshot. */
  setMode(mode: TransactionMode): void {
    if (!this.opening) this.mode = mode;
  }

  /**
   * This request's reads may be served by the read replica (DATABASE_READ_URL): report figures,
   * downloads, the claim queue, search. Applies to a read transaction not opened yet; without a
   * replica it changes nothing.
   */
  preferReplica(): void {
    if (!this.opening) this.replicaWanted = true;
  }

  /** The client's last write is at this WAL position: a replica serves this request only once it has replayed it. */
  readAfter(lsn: LsnToken | null): void {
    this.minLsn = lsn;
  }

  /** Where the request's transaction was opened (null: not yet, or never). */
  get servedBy(): 'primary' | 'replica' | null {
    return this.served;
  }

  get isOpen(): boolean {
    return this.opening !== null && !this.finished;
  }

  async manager(): Promise<EntityManager> {
    return (await this.open()).manager;
  }

  /**
   * Raw SQL on the request's transaction. `prepare: true` (text from code, not from input) sends
   * it as a named prepared statement (see preparedQuery), which halved Postgres's CPU on the
   * article page.
   */
  async query<R = Record<string, unknown>>(sql: string, parameters: unknown[] = [], options: { prepare?: boolean } = {}): Promise<R[]> {
    const runner = await this.open();
    if (options.prepare) return preparedQuery<R>(runner.manager, sql, parameters);
    return (await runner.query(sql, parameters)) as R[];
  }

  /**
   * Runs `work` in a savepoint: on error the database is back where it was before `work`, and
   * constraint violations come out as domain errors.
   */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const name = `sp_${++this.savepoints}`;
    // The mutation that opens the transaction sends its savepoint with BEGIN: one round trip less
    // on every write request.
    const fresh = this.opening === null;
    const runner = await this.open(fresh ? `SAVEPOINT ${name}` : undefined);
    if (!fresh) await runner.query(`SAVEPOINT ${name}`);
    try {
      // No RELEASE: a savepoint left open costs nothing until COMMIT, which keeps its work; the
      // mutation saves a round trip (bench/README.md).
      return await work(runner.manager);
    } catch (error) {
      await runner.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw translateDatabaseError(error);
    }
  }

  /**
   * A mutation that is ONE statement (text from code, `$n` placeholders). When it is the
   * request's first database work, it is its own transaction: BEGIN, the caller's scope, the
   * statement and COMMIT go to Postgres as one round trip (the simple protocol, so the values go
   * in as literals, escaped by pg's escapeLiteral), and the connection goes back to the pool at
   * once; whatever the request does next opens a transaction of its own. That is the semantics
   * of a mutation in its savepoint (it commits, or leaves nothing), with three round trips fewer:
   * on the verdict write, half of Node's time was in round trips (bench/README). Otherwise
   * (something ran before it) it runs in a savepoint of the request's transaction as usual.
   */
  async mutationStatement<R = Record<string, unknown>>(sql: string, values: unknown[]): Promise<R[]> {
    if (this.finished) throw new Error('RequestDb used after the request finished');
    if (this.opening || this.alone || this.mode !== 'write') {
      return this.transaction((manager) => preparedQuery<R>(manager, sql, values));
    }
    const withLsn = !!this.options.replica;
    const text = `START TRANSACTION; ${this.scopeStatement()}; ${withLiterals(sql, values)}; COMMIT${withLsn ? `; ${COMMIT_LSN_QUERY}` : ''}`;
    return this.roundTripAlone(async (client) => {
      try {
        const results = await multiStatement(client, text);
        const last = results.length - (withLsn ? 2 : 1);
        const commit = results[last];
        if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${commit.command}: the transaction had been aborted`);
        if (withLsn) this.noteCommitLsn(results[last + 1]);
        return results[last - 1].rows as R[];
      } catch (error) {
        // the statement failed (the rest of the string was skipped) or COMMIT did: end it either way
        await endTransaction(client, 'ROLLBACK');
        throw translateDatabaseError(error instanceof Error && 'severity' in error ? new QueryFailedError(sql, values, error) : error);
      }
    });
  }

  /**
   * A query operation's read that is ONE statement (text from code, `$n` placeholders). With
   * `whole` (the statement is all the database work the operation needs), as the request's first
   * database work on the primary, it is its own read-only transaction in one round trip: BEGIN
   * with the snapshot mode, the caller's scope, EXECUTE of the statement prepared on that
   * connection, COMMIT (the simple protocol; the values go in as literals). The first time on a
   * connection the same round trip prepares it (SQL PREPARE, after the scope, so as the app role).
   * Row-level security applies as on any prepared statement: Postgres re-plans a cached plan that
   * depends on it whenever the role differs. One round trip instead of three: each round trip's socket
   * write was a large share of the article page's server time (bench/README.md).
   * Otherwise it runs as a prepared statement on the request's transaction.
   *
   * `generic`: in its own transaction, the statement runs on its generic plan (plan_cache_mode for
   * that transaction only). Postgres otherwise keeps planning a statement afresh at every
   * execution whenever the generic plan's estimate looks dearer than the custom plans' had, which
   * for the whole-team report at a million claims cost 1.8 ms of planning per report while the
   * generic plan ran faster (bench/results/scale-1m-c.md).
   */
  async readStatement<R = Record<string, unknown>>(sql: string, values: unknown[], options: { whole: boolean; generic?: boolean }): Promise<R[]> {
    if (this.finished) throw new Error('RequestDb used after the request finished');
    const replica = this.replicaWanted && !!this.options.replica;
    if (!options.whole || this.opening || this.alone || this.mode !== 'read' || replica) return this.query<R>(sql, values, { prepare: true });
    const name = preparedName(sql);
    return this.roundTripAlone(async (client) => {
      const prepared = name ? sqlPrepared(client) : null;
      const prepare = !!name && !prepared!.has(name);
      const statement = name ? `EXECUTE ${name}_s(${values.map(argumentLiteral).join(', ')})` : withLiterals(sql, values);
      const text =
        `START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; ${this.scopeStatement(options.generic ? { plan_cache_mode: 'force_generic_plan' } : {})}; ` +
        `${prepare ? `PREPARE ${name}_s AS ${sql}; ` : ''}${statement}; COMMIT`;
      try {
        const results = await multiStatement(client, text);
        if (prepare) prepared!.add(name!);
        const commit = results[results.length - 1];
        if (commit.command !== 'COMMIT') throw new Error(`COMMIT answered ${commit.command}: the transaction had been aborted`);
        this.served = 'primary';
        return results[results.length - 2].rows as R[];
      } catch (error) {
        await endTransaction(client, 'ROLLBACK');
        // a PREPARE outlives the transaction that made it: whether it ran or not, it is gone now
        if (prepare) await client.query(`DEALLOCATE ${name}_s`).catch(() => undefined);
        throw translateDatabaseError(error instanceof Error && 'severity' in error ? new QueryFailedError(sql, values, error) : error);
      }
    });
  }

  /**
   * Work that is a whole transaction in one round trip, on a pooled connection of its own (a
   * runner used only for its pg connection: one round trip needs nothing else), given back at
   * once. Until it ends, the rest of the request waits for it (`alone`).
   */
  private async roundTripAlone<R>(work: (client: pg.PoolClient) => Promise<R>): Promise<R> {
    const running = (async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        return await work(await connectionOf(runner));
      } finally {
        await runner.release();
      }
    })();
    this.alone = running.catch(() => undefined);
    try {
      return await running;
    } finally {
      this.alone = null;
    }
  }

  /** A team created in this request becomes visible to the rest of the request. */
  async addTeam(teamId: string): Promise<void> {
    if (this.scope.teamIds.includes(teamId)) return;
    this.scope.teamIds.push(teamId);
    if (this.runner) await this.applyScope(this.runner);
  }

  get teamIds(): readonly string[] {
    return this.scope.teamIds;
  }

  /** Runs `callback` once the request's work has committed (not at all if it rolls back). */
  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  async finish(outcome: 'commit' | 'rollback'): Promise<void> {
    if (this.finished) return;
    await this.end(outcome);
    if (outcome === 'commit') for (const callback of this.committed.splice(0)) callback();
  }

  private async end(outcome: 'commit' | 'rollback'): Promise<void> {
    this.finished = true;
    if (!this.opening) return;
    let runner: QueryRunner;
    try {
      runner = await this.opening;
    } catch {
      return;
    }
    try {
      if (!runner.isTransactionActive) return;
      if (outcome === 'rollback') {
        await this.rollback(runner);
        return;
      }
      this.commitCommand = null;
      try {
        await runner.commitTransaction();
      } catch (error) {
        // COMMIT failed (a deferred check, or the connection): whatever is left of the transaction goes
        await this.rollback(runner);
        throw error;
      }
      // COMMIT of a transaction that a failed statement aborted answers ROLLBACK without raising:
      // its command tag tells, so an acknowledged write is one that really committed. A query
      // operation's snapshot has nothing to lose (its failed read already reported its error).
      if (this.commitCommand !== 'COMMIT' && (this.mode === 'write' || this.savepoints > 0)) {
        throw new Error(`COMMIT answered ${this.commitCommand ?? 'nothing RequestDb could read'}: the transaction had been aborted`);
      }
    } finally {
      await runner.release();
    }
  }

  /** Rolls back; a connection that cannot even do that is closed, so the pool drops it. */
  private async rollback(runner: QueryRunner): Promise<void> {
    try {
      await runner.rollbackTransaction();
    } catch {
      await this.client?.end().catch(() => undefined);
    }
  }

  /** `then`: a statement to run right after BEGIN and the scope, in the same round trip. */
  private open(then?: string): Promise<QueryRunner> {
    if (this.finished) throw new Error('RequestDb used after the request finished');
    this.opening ??= (async () => {
      if (this.alone) await this.alone;
      const replicated = await this.replicaRunner();
      if (replicated) {
        try {
          const client = await connectionOf(replicated);
          this.client = client;
          await this.begin(replicated, client, then);
          this.runner = replicated;
          this.served = 'replica';
          return replicated;
        } catch (error) {
          // nothing has been read yet: the primary serves the request instead
          this.client = null;
          await this.options.replica!.discard(replicated, error);
        }
      }
      const runner = this.dataSource.createQueryRunner();
      try {
        const client = await connectionOf(runner);
        this.client = client;
        await this.begin(runner, client, then);
        this.runner = runner;
        this.served = 'primary';
        return runner;
      } catch (error) {
        await runner.release().catch(() => undefined);
        throw error;
      }
    })();
    return this.opening;
  }

  /**
   * Starts the transaction through TypeORM's own startTransaction, so TypeORM knows it is open
   * (its pessimistic locks require that, and EntityManager#save then uses it rather than opening
   * one), but with the statements RequestDb needs, sent on the runner's connection:
   * - TypeORM's `START TRANSACTION` becomes BEGIN, the snapshot mode and the caller's scope in ONE
   *   round trip (a multi-statement simple query), where BEGIN + SET TRANSACTION + set_config would
   *   take three: with ~10 statements per article page, the two saved round trips were measurable.
   *   The scope goes in as literals, which is safe because every value is validated first (UUIDs,
   *   an integer).
   * - TypeORM's `COMMIT` is sent as it is, but its command tag is kept (see `end`).
   * Should TypeORM begin with other words, the mode and scope follow in a statement of their own.
   */
  private async begin(runner: QueryRunner, client: pg.PoolClient, then?: string): Promise<void> {
    const start = this.mode === 'read' ? 'START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY' : 'START TRANSACTION';
    const rest = `${this.scopeStatement()}${then ? `; ${then}` : ''}`;
    let pendingBegin: string | null = `${start}; ${rest}`;
    serializeQueries(runner, client, (sql) => {
      if (sql === 'START TRANSACTION' && pendingBegin) {
        const text = pendingBegin;
        pendingBegin = null;
        return () => client.query(text);
      }
      if (sql === 'COMMIT') {
        return async () => {
          if (this.options.replica && this.mode === 'write') {
            // a multi-statement string answers one result per statement (pg's types say one)
            const answer: pg.QueryResult | pg.QueryResult[] = await client.query(`COMMIT; ${COMMIT_LSN_QUERY}`);
            const [commit, lsn] = Array.isArray(answer) ? answer : [answer];
            this.commitCommand = commit.command;
            if (commit.command === 'COMMIT' && lsn) this.noteCommitLsn(lsn);
            return [];
          }
          this.commitCommand = (await client.query('COMMIT')).command;
          return [];
        };
      }
      return null;
    });
    try {
      await runner.startTransaction();
      if (pendingBegin) {
        pendingBegin = null;
        await runner.query(`${this.mode === 'read' ? 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; ' : ''}${rest}`);
      }
    } catch (error) {
      if (runner.isTransactionActive) await this.rollback(runner);
      throw error;
    }
  }

  /** A runner on the replica for a read transaction that asked for one, when the replica can serve it. */
  private async replicaRunner(): Promise<QueryRunner | null> {
    const replica = this.options.replica;
    if (!replica || !this.replicaWanted || this.mode !== 'read') return null;
    const answer = await replica.acquire(this.minLsn);
    return 'runner' in answer ? answer.runner : null;
  }

  private noteCommitLsn(result: pg.QueryResult): void {
    const text = (result.rows[0] as { lsn?: unknown } | undefined)?.lsn;
    if (typeof text === 'string') this.commitLsn = laterLsn(this.commitLsn, lsnToken(text));
  }

  /** The caller's scope as one SELECT of set_config (`extra`: more settings of the transaction, name → value). */
  private scopeStatement(extra: Record<string, string> = {}): string {
    const userId = this.scope.userId && UUID.test(this.scope.userId) ? this.scope.userId : '';
    const teamIds = this.scope.teamIds.filter((id) => UUID.test(id));
    const timeout = Math.max(0, Math.floor(Number(this.options.statementTimeoutMs ?? 0)) || 0);
    return (
      `SELECT set_config('role', '${APP_ROLE}', true), set_config('claimgraph.user_id', '${userId}', true), ` +
      `set_config('claimgraph.team_ids', '{${teamIds.join(',')}}', true)` +
      (timeout > 0 ? `, set_config('statement_timeout', '${timeout}', true)` : '') +
      Object.entries(extra)
        .map(([setting, value]) => `, set_config('${setting}', '${value}', true)`)
        .join('')
    );
  }

  private async applyScope(runner: QueryRunner): Promise<void> {
    const teamIds = this.scope.teamIds.filter((id) => UUID.test(id));
    // is_local = true: the settings end with the transaction, so a pooled connection never
    // carries one request's teams into the next.
    // The role switch makes row-level security apply even when DATABASE_URL names a superuser
    // or the tables' owner: a query that forgets its team filter still sees only these teams.
    await runner.query(
      `SELECT set_config('role', '${APP_ROLE}', true), set_config('claimgraph.user_id', $1, true), set_config('claimgraph.team_ids', $2, true), set_config('statement_timeout', coalesce(nullif($3, '0'), current_setting('statement_timeout')), true)`,
      [this.scope.userId ?? '', `{${teamIds.join(',')}}`, String(this.options.statementTimeoutMs ?? 0)],
    );
  }
}

/** A multi-statement string's results, one per statement (pg answers an array then; its types say one result). */
async function multiStatement(client: pg.ClientBase, text: string): Promise<pg.QueryResult[]> {
  const answer: pg.QueryResult | pg.QueryResult[] = await client.query(text);
  return Array.isArray(answer) ? answer : [answer];
}

/** Statement names each connection has prepared with SQL PREPARE (`RequestDb.readStatement`). */
const sqlPreparedNames = new WeakMap<pg.ClientBase, Set<string>>();

function sqlPrepared(client: pg.ClientBase): Set<string> {
  let names = sqlPreparedNames.get(client);
  if (!names) sqlPreparedNames.set(client, (names = new Set()));
  return names;
}

/**
 * A recorded statement (statement-counter.ts) as statements a tool can replay one by one on a
 * connection of its own (EXPLAIN in bench/explain.ts and test/performance.test.ts): a
 * multi-statement string split, PREPAREs left out, and with each `EXECUTE <name>(…)` of
 * `RequestDb.readStatement` the PREPARE it needs on that connection first.
 */
export function replayable(statement: { text: string; values: unknown[] }): { text: string; values: unknown[]; prepare?: string; sql?: string }[] {
  if (statement.values.length > 0 || !statement.text.includes(';')) return [statement];
  return splitStatements(statement.text).flatMap((text) => {
    if (/^PREPARE\s/i.test(text)) return [];
    const executed = /^EXECUTE (\w+)\(/.exec(text);
    if (!executed) return [{ text, values: [] }];
    const sql = [...preparedNames].find(([, name]) => `${name}_s` === executed[1])?.[0];
    if (!sql) throw new Error(`${executed[1]} was not prepared by this process`);
    return [{ text, values: [], prepare: `PREPARE ${executed[1]} AS ${sql}`, sql }];
  });
}

/**
 * A value as an argument of EXECUTE: Postgres coerces each to the prepared statement's parameter
 * type, so arrays go as array literals ('{"a","b"}'), not ARRAY[…] (text[] does not coerce to uuid[]).
 */
function argumentLiteral(value: unknown): string {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return pg.escapeLiteral(`{${value.map((item) => `"${(item as string).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  }
  return withLiterals('$1', [value]);
}

/**
 * `$n` placeholders of code-written SQL replaced by literals, for the simple protocol (and for
 * COPY, which takes no parameters). Only the types claimgraph passes: strings (pg's escapeLiteral),
 * finite numbers, booleans, null, Dates, arrays of strings.
 */
export function withLiterals(sql: string, values: unknown[]): string {
  const literal = (value: unknown): string => {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'string') return pg.escapeLiteral(value);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error('Only finite numbers can be sent as literals');
      return String(value);
    }
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      return value.length ? `ARRAY[${value.map((item) => pg.escapeLiteral(item as string)).join(', ')}]` : `'{}'`;
    }
    throw new Error(`No literal form for ${typeof value}`);
  };
  return sql.replace(/\$(\d+)/g, (_match, index: string) => {
    const position = Number(index) - 1;
    if (position >= values.length) throw new Error(`No value for $${index}`);
    return literal(values[position]);
  });
}

const CONSTRAINT_MESSAGES: Record<string, string> = {
  teams_slug_key: 'A team with this slug already exists',
  users_email_key: 'A user with this email already exists',
  verdicts_current_key: 'You already have a current verdict on this claim',
  memberships_pkey: 'This user is already a member of the team',
  assignments_open_key: 'This reviewer already has an open assignment on this claim',
};

/**
 * The database is the last line of defence for invariants. Its errors never reach a client as
 * they are (they name tables and constraints): they become typed domain errors here.
 */
export function translateDatabaseError(error: unknown): unknown {
  if (!(error instanceof QueryFailedError)) return error;
  const driverError = error.driverError as { code?: string; constraint?: string } | undefined;
  const code = driverError?.code;
  const constraint = driverError?.constraint ?? '';
  switch (code) {
    case '23505':
      return new DomainError(ErrorCode.ALREADY_EXISTS, CONSTRAINT_MESSAGES[constraint] ?? 'This already exists');
    case '23514':
    case '22001':
    case '22P02':
    case '22007':
    case '22008':
    case '22003':
      return new DomainError(ErrorCode.BAD_USER_INPUT, 'A value is not allowed here (out of range, too long or malformed)');
    case '23503':
      return new DomainError(ErrorCode.NOT_FOUND, 'A referenced object was not found');
    default:
      return error;
  }
}

/**
 * One request's resolvers run concurrently (DataLoader batches of sibling fields), but they share
 * one connection. pg queues overlapping queries itself only with a deprecation warning (pg 9 will
 * refuse them), so the runner takes them one after another here, in the order they were asked.
 * `replace` may send a statement differently (see `RequestDb.begin`).
 */
function serializeQueries(runner: QueryRunner, client: pg.PoolClient, replace: (sql: string) => (() => Promise<unknown>) | null): void {
  const query = runner.query.bind(runner);
  let tail: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
  runner.query = ((...args: Parameters<QueryRunner['query']>) => {
    const replaced = replace(args[0]);
    return inTurn(
      replaced
        ? async () => {
            try {
              return await replaced();
            } catch (error) {
              throw error instanceof Error && 'severity' in error ? new QueryFailedError(args[0], [], error) : error;
            }
          }
        : () => query(...args),
    );
  }) as QueryRunner['query'];
  (runner as PreparingRunner).claimgraphPrepared = (sql, parameters) =>
    inTurn(async () => {
      const name = preparedName(sql);
      if (!name) return rowsOf(await query(sql, parameters));
      try {
        return (await client.query({ name, text: sql, values: parameters })).rows;
      } catch (error) {
        // the same error type TypeORM raises, so translateDatabaseError and callers see no difference
        throw new QueryFailedError(sql, parameters, error as Error);
      }
    });
}

/** The pg connection a query runner holds (`connect()` hands back the one it already has). */
async function connectionOf(runner: QueryRunner): Promise<pg.PoolClient> {
  return (await runner.connect()) as pg.PoolClient;
}

/**
 * Ends whatever transaction is open on `client`. A connection that cannot even do that is closed,
 * so the pool drops it rather than hand it, mid-transaction, to the next request.
 */
async function endTransaction(client: pg.PoolClient, statement: 'ROLLBACK'): Promise<void> {
  try {
    await client.query(statement);
  } catch {
    await client.end().catch(() => undefined);
  }
}

interface PreparingRunner {
  claimgraphPrepared?: (sql: string, parameters: unknown[]) => Promise<unknown[]>;
}

/** TypeORM answers UPDATE/DELETE … RETURNING as [rows, affected]; everything else as rows. */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as unknown[];
  return result as unknown[];
}

/**
 * SQL whose text comes from code (never from input) as a named prepared statement on the
 * manager's connection: Postgres parses and plans it once per connection instead of on every
 * request. Planning was most of Postgres's time on the article page (the LATERAL page queries
 * under row-level security) and on a verdict write (the status derivation takes longer to plan
 * than to run). Works inside `RequestDb.transaction` (same connection, same savepoint); on a
 * manager without a request's connection it runs unprepared.
 */
export async function preparedQuery<R = Record<string, unknown>>(manager: EntityManager, sql: string, parameters: unknown[] = []): Promise<R[]> {
  const runner = manager.queryRunner as (QueryRunner & PreparingRunner) | undefined;
  if (runner?.claimgraphPrepared) return (await runner.claimgraphPrepared(sql, parameters)) as R[];
  return rowsOf(await manager.query(sql, parameters)) as R[];
}
