import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { NextFunction, Request, Response } from 'express';

export const SQL_STATEMENTS_HEADER = 'x-sql-statements';

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

interface Tally {
  count: number;
}

/**
 * Counts the SQL statements this process sends to Postgres: in total, and per HTTP request (sent
 * back in the `x-sql-statements` response header). It exists for the benchmark and the
 * "statements per request stay constant" tests, and is off unless CLAIMGRAPH_COUNT_SQL is set:
 * nothing is wrapped until `enableStatementCounting()` runs, so production pays nothing.
 *
 * It hooks pg's `Client#query`, below TypeORM, so raw queries, the authenticator's lookups and
 * cursors are counted too. A multi-statement string counts each statement (and one round trip in
 * `roundTrips`); the count is taken when the statement is sent, so a streamed response's header holds what ran before its
 * first byte (the process total, `StatementCounter.total`, holds everything).
 */
export class StatementCounter {
  total = 0;
  roundTrips = 0;
  private readonly tallies = new AsyncLocalStorage<Tally>();
  private recorders = new Set<(statement: RecordedStatement) => void>();

  onStatement(text: string, values: unknown[]): void {
    // A parameterless query may carry several statements in one round trip (simple protocol):
    // each counts. (Splitting on `;` is exact for the SQL claimgraph sends this way.)
    const statements = values.length === 0 && text.includes(';') ? text.split(';').filter((part) => part.trim()).length : 1;
    this.total += statements;
    this.roundTrips++;
    const tally = this.tallies.getStore();
    if (tally) tally.count += statements;
    for (const record of this.recorders) record({ text, values });
  }

  /** Calls `record` with every statement sent until the returned function is called. */
  record(record: (statement: RecordedStatement) => void): () => void {
    this.recorders.add(record);
    return () => this.recorders.delete(record);
  }

  /**
   * Express middleware: everything the rest of the request runs is tallied, and the tally goes
   * out as a response header. Mount it first, and `reenter` after body parsing (the body's stream
   * events run outside the request's async context).
   */
  readonly middleware = (_request: Request, response: Response, next: NextFunction): void => {
    const tally: Tally = { count: 0 };
    response.locals.sqlTally = tally;
    const writeHead = response.writeHead;
    response.writeHead = function patchedWriteHead(this: Response, ...args: unknown[]) {
      if (!this.headersSent) this.setHeader(SQL_STATEMENTS_HEADER, String(tally.count));
      return (writeHead as (...inner: unknown[]) => Response).apply(this, args);
    } as Response['writeHead'];
    this.tallies.run(tally, next);
  };

  readonly reenter = (_request: Request, response: Response, next: NextFunction): void => {
    const tally = response.locals.sqlTally as Tally | undefined;
    if (tally) this.tallies.run(tally, next);
    else next();
  };
}

let installed: StatementCounter | null = null;

/** Wraps pg's Client#query once per process and returns the counter (idempotent). */
export function enableStatementCounting(): StatementCounter {
  if (installed) return installed;
  const counter = new StatementCounter();
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '');
    const params = Array.isArray(values) ? values : ((config as { values?: unknown[] } | undefined)?.values ?? []);
    counter.onStatement(text, params);
    return query.apply(this, args);
  };
  installed = counter;
  return counter;
}
