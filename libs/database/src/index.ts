export { DatabaseModule, type DatabaseModuleOptions } from './database.module.js';
export { DatabaseHealth, type DatabaseReadiness } from './database-health.js';
export { createDataSourceOptions, type DatabaseSettings } from './data-source-options.js';
export { runMigrations, pendingMigrations, type MigrationReport } from './run-migrations.js';
export { provideDatabase, type DatabaseHandle } from './provide-database.js';
export { SnakeNamingStrategy } from './snake-naming.strategy.js';
export { MIGRATIONS } from './migrations/index.js';
export { bigintId } from './bigint-id.js';
export { markProvisioned, type ProvisionedTable, type ProvisioningOutcome } from './provisioning-state.js';
