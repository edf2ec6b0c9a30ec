import type { DataSource } from 'typeorm';
import type pg from 'pg';

export interface RoleTransactionOptions {
  /** Postgres `statement_timeout` for the transaction; 0 or absent: the server's. */
  statementTimeoutMs?: number;
  readOnly?: boolean;
}

/**
 * Work that is not a request (public reads, the webhook worker) in one transaction as a dedicated
 * non-owner role, on a connection of the pool. The role switch and the empty team scope are
 * transaction-local settings: they end with it and never stay on the pooled connection. The work
 * commits when it returns and rolls back when it throws. A connection whose session state is not
 * known — the transaction's opening statement failed half-way (a role the login role may not
 * become leaves an aborted transaction open), or its ROLLBACK or COMMIT failed — is destroyed
 * rather than given back to the pool, where the next user would inherit it.
 */
export async function roleTransaction<T>(
  dataSource: DataSource,
  role: string,
  options: RoleTransactionOptions,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  if (!/^[a-z_]+$/.test(role)) throw new Error(`not a role name: ${role}`);
  const timeout = Math.max(0, Math.floor(options.statementTimeoutMs ?? 0));
  // pg's pool itself, as RequestDb's one-round-trip writes do: nothing of TypeORM's is needed here
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  const client = await pool.connect();
  let broken: Error | undefined;
  /** A statement that opens or ends the transaction: when it fails, the session's state is unknown. */
  const control = async (sql: string) => {
    try {
      await client.query(sql);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  };
  try {
    await control(
      `START TRANSACTION${options.readOnly ? ' ISOLATION LEVEL REPEATABLE READ, READ ONLY' : ''}; ` +
        `SELECT set_config('role', '${role}', true), set_config('claimgraph.team_ids', '{}', true), set_config('claimgraph.user_id', '', true)` +
        (timeout > 0 ? `, set_config('statement_timeout', '${timeout}', true)` : ''),
    );
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      // the work's own error is the one to report, whether or not the ROLLBACK went through
      await control('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await control(options.readOnly ? 'ROLLBACK' : 'COMMIT');
    return result;
  } finally {
    client.release(broken);
  }
}
