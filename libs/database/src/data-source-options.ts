import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations/index.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  /** Entity classes; each module registers its own through TypeOrmModule.forFeature as well. */
  entities?: DataSourceOptions['entities'];
}

/** One definition of the connection for the app, the CLI and the tests. */
export function createDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: settings.entities ?? [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // The schema only ever changes through migrations (STYLE.md §21).
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    logging: false,
    extra: {
      max: settings.poolSize,
      connectionTimeoutMillis: 5_000,
      application_name: 'wgfleet',
    },
  };
}
