import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from '../db/database';

/** `npm run migrate`: applies pending migrations (`-- --revert` undoes the last one). */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const revert = process.argv.includes('--revert');
  const database = await openDatabase(config, log, { migrate: !revert });
  try {
    if (revert) {
      await database.dataSource.undoLastMigration({ transaction: 'each' });
      log.info('reverted the last migration');
    } else {
      log.info('migrations are up to date');
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
