import { Client } from 'pg';
import { DataSource, type LoggerOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { installTimestampParser } from './timestamp-parser';
import { applyRoutines } from './sql-routines';
import { User } from '../modules/user/user.entity';
import { Team } from '../modules/team/team.entity';
import { Membership } from '../modules/team/membership.entity';
import { TeamInvitation } from '../modules/team/invitation.entity';
import { Article } from '../modules/article/article.entity';
import { ArticleRevision } from '../modules/article/article-revision.entity';
import { Source } from '../modules/source/source.entity';
import { Claim } from '../modules/claim/claim.entity';
import { Evidence } from '../modules/evidence/evidence.entity';
import { Verdict } from '../modules/verdict/verdict.entity';
import { HistoryEvent } from '../modules/history/history-event.entity';
import { ApiToken } from '../modules/auth/api-token.entity';
import { Comment } from '../modules/comment/comment.entity';
import { Assignment } from '../modules/assignment/assignment.entity';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../modules/webhook/webhook.entities';

export const entities = [
  User,
  Team,
  Membership,
  Article,
  ArticleRevision,
  Source,
  Claim,
  Evidence,
  Verdict,
  HistoryEvent,
  ApiToken,
  Comment,
  Assignment,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookAttempt,
  TeamInvitation,
];

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  logging?: LoggerOptions;
  applicationName?: string;
  /** A hot standby: TypeORM must not try to create extensions there (a standby refuses every write). */
  readOnly?: boolean;
  connectTimeoutMs?: number;
}

/** Schema changes come only from the committed migrations: `synchronize` stays off. */
export function createDataSource(options: DataSourceOptions): DataSource {
  installTimestampParser();
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: options.logging ?? false,
    applicationName: options.applicationName ?? 'claimgraph',
    installExtensions: !options.readOnly,
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      idleTimeoutMillis: 30_000,
      // JIT compilation costs 100-200 ms per statement whose estimated cost passes jit_above_cost,
      // which a report over many articles does; every claimgraph statement is short, so it never pays
      // (downloads too: a stream would pay it before its first row)
      options: '-c jit=off',
    },
  });
}

// Any constant works; it only has to be the same for every claimgraph process.
const MIGRATION_LOCK = 7_420_153_911;

/**
 * Applies pending migrations, then every SQL routine file whose content changed (src/db/sql-routines.ts),
 * while holding a Postgres advisory lock, so instances that start together take turns instead of
 * racing to create the same tables.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  // The lock lives on its own connection, outside the pool, so a pool of one still migrates.
  const lock = new Client({ connectionString: (dataSource.options as { url: string }).url, application_name: 'claimgraph-migrate' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const routines = await applyRoutines(dataSource);
    return [...applied.map((migration) => migration.name), ...routines.map((name) => `routine ${name}`)];
  } finally {
    await lock.end().catch(() => undefined);
  }
}
