import { DataSource, type LoggerOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { User } from '../modules/user/user.entity';
import { Team } from '../modules/team/team.entity';
import { Membership } from '../modules/team/membership.entity';
import { Article } from '../modules/article/article.entity';
import { ArticleRevision } from '../modules/article/article-revision.entity';
import { Source } from '../modules/source/source.entity';
import { Claim } from '../modules/claim/claim.entity';
import { Evidence } from '../modules/evidence/evidence.entity';
import { Verdict } from '../modules/verdict/verdict.entity';
import { HistoryEvent } from '../modules/history/history-event.entity';

export const entities = [User, Team, Membership, Article, ArticleRevision, Source, Claim, Evidence, Verdict, HistoryEvent];

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  logging?: LoggerOptions;
  applicationName?: string;
}

/** Schema changes come only from the committed migrations: `synchronize` stays off. */
export function createDataSource(options: DataSourceOptions): DataSource {
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
    extra: {
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    },
  });
}

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}
