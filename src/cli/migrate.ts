import 'reflect-metadata';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { openDatabase } from '../db/database';
import { revertRoutine } from '../db/sql-routines';

/**
 * `npm run migrate`: applies pending migrations and changed SQL routine files (`-- --revert` undoes
 * the last migration; `-- --revert-routine NAME` puts back the previous version of a routine file).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const revert = process.argv.includes('--revert');
  const routineFlag = process.argv.indexOf('--revert-routine');
  const routine = routineFlag >= 0 ? process.argv[routineFlag + 1] : undefined;
  if (routineFlag >= 0 && !routine) throw new Error('--revert-routine needs a routine name');
  const database = await openDatabase(config, log, { migrate: !revert && !routine });
  try {
    if (routine) {
      await revertRoutine(database.dataSource, routine);
      log.info({ routine }, 'restored the previous version of the routine');
    } else if (revert) {
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
