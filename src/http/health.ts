import type { DataSource } from 'typeorm';

export interface Readiness {
  ready: boolean;
  status: 'ready' | 'not-ready' | 'draining';
  checks: { database: 'ok' | 'unreachable'; migrations: 'current' | 'pending' | 'unknown' };
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Liveness is the process answering at all (/healthz). Readiness (/readyz) is whether this
 * instance should get traffic: the database answers through the pool, every committed migration
 * is applied, and the instance is not shutting down. The answer names no host, table or error.
 */
export class Health {
  private draining = false;

  constructor(private readonly dataSource: DataSource) {}

  /** From the first shutdown signal on, readiness fails so load balancers stop sending requests. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async readiness(): Promise<Readiness> {
    // TypeORM records a migration under its `name`, or its class name when it has none
    const expected = (this.dataSource.migrations ?? []).map((migration) => migration.name || migration.constructor.name);
    let database: Readiness['checks']['database'] = 'unreachable';
    let migrations: Readiness['checks']['migrations'] = 'unknown';
    try {
      const rows = (await withTimeout(this.dataSource.query('SELECT name FROM migrations'), CHECK_TIMEOUT_MS)) as { name: string }[];
      database = 'ok';
      const applied = new Set(rows.map((row) => row.name));
      migrations = expected.every((name) => applied.has(name)) ? 'current' : 'pending';
    } catch {
      // unreachable, or not migrated at all; either way not ready
    }
    const ready = !this.draining && database === 'ok' && migrations === 'current';
    return { ready, status: this.draining ? 'draining' : ready ? 'ready' : 'not-ready', checks: { database, migrations } };
  }
}
