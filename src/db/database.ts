import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createDataSource, runMigrations } from './data-source';
import { startPostgres, type EmbeddedPostgresHandle } from './embedded';

export interface Database {
  dataSource: DataSource;
  embedded: EmbeddedPostgresHandle | null;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded Postgres when there is none, and brings the
 * schema up to date with the committed migrations.
 */
export async function openDatabase(config: Config, log: Logger, options: { migrate?: boolean } = {}): Promise<Database> {
  const { url, embedded } = await startPostgres(config, log);
  const dataSource = createDataSource({ url, poolSize: config.poolSize });
  try {
    await dataSource.initialize();
    if (options.migrate !== false) {
      const applied = await runMigrations(dataSource);
      if (applied.length) log.info({ migrations: applied }, 'migrations applied');
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    embedded,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
