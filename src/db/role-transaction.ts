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
 * commits when it returns and rolls back when it throws; a connection that cannot even end its
 * transaction is not given back to the pool.
 */
export async function roleTransaction<T>(
  dataSource: DataSource,
  role: string,
  options: RoleTransactionOptions,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // pg's pool itself, as RequestDb's one-round-trip writes do: nothing of TypeORM's is needed here
  const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const timeout = Math.max(0, Math.floor(options.statementTimeoutMs ?? 0));
    if (!/^[a-z_]+$/.test(role)) throw new Error(`not a role name: ${role}`);
    await client.query(
      `START TRANSACTION${options.readOnly ? ' ISOLATION LEVEL REPEATABLE READ, READ ONLY' : ''}; ` +
        `SELECT set_config('role', '${role}', true), set_config('claimgraph.team_ids', '{}', true), set_config('claimgraph.user_id', '', true)` +
        (timeout > 0 ? `, set_config('statement_timeout', '${timeout}', true)` : ''),
    );
    let result: T;
    try {
      result = await work(client);
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    }
    await client.query(options.readOnly ? 'ROLLBACK' : 'COMMIT');
    return result;
  } finally {
    client.release(broken);
  }
}
