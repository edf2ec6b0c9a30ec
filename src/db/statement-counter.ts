import pg from 'pg';

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

/**
 * Counts the SQL statements this process sends to Postgres. It exists for the benchmark and the
 * "statements per request stay constant" tests, and is off unless CLAIMGRAPH_COUNT_SQL is set:
 * nothing is wrapped until `enableStatementCounting()` runs, so production pays nothing.
 *
 * It hooks pg's `Client#query`, below TypeORM, so raw queries, the authenticator's lookups and
 * cursors are counted too. A multi-statement string counts each statement (and one round trip).
 * The server exposes the totals at GET /debug/sql-statements; the statements of one request are
 * the difference across it when requests run one at a time. (A per-request tally would need
 * AsyncLocalStorage, whose promise hooks cost the server ~5% CPU: enough to skew the benchmark
 * it is meant to serve.)
 */
export class StatementCounter {
  total = 0;
  roundTrips = 0;
  private readonly recorders = new Set<(statement: RecordedStatement) => void>();

  onStatement(text: string, values: unknown[]): void {
    // A parameterless query may carry several statements in one round trip (simple protocol):
    // each counts.
    this.total += values.length === 0 && text.includes(';') ? countStatements(text) : 1;
    this.roundTrips++;
    for (const record of this.recorders) record({ text, values });
  }

  /** Calls `record` with every statement sent until the returned function is called. */
  record(record: (statement: RecordedStatement) => void): () => void {
    this.recorders.add(record);
    return () => this.recorders.delete(record);
  }
}

/**
 * The statements of a multi-statement string: split at the `;` outside quoted literals (exact for
 * the SQL claimgraph sends this way: code-written statements, values as escapeLiteral literals,
 * in which a quote is always doubled).
 */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 39 /* ' */) quoted = !quoted;
    else if (code === 59 /* ; */ && !quoted) {
      statements.push(text.slice(start, index));
      start = index + 1;
    }
  }
  statements.push(text.slice(start));
  return statements.map((statement) => statement.trim()).filter(Boolean);
}

/**
 * How many statements a multi-statement string holds (see `splitStatements`). A PREPARE is not
 * one: it is a connection's one-time parse of a statement it then EXECUTEs
 * (`RequestDb.readStatement`), as the protocol's Parse message is for named statements, which is
 * not counted either; counting it would make a request's count depend on its connection's past.
 */
export function countStatements(text: string): number {
  return splitStatements(text).filter((statement) => !/^PREPARE\s/i.test(statement)).length;
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
