import { DataSource } from 'typeorm';
import { createDataSourceOptions } from './data-source-options.js';
import { MIGRATIONS } from './migrations/index.js';

/** An arbitrary constant: the advisory lock that lets one replica at a time migrate. */
const MIGRATION_LOCK_KEY = 7_146_213_001;

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies pending migrations, each in its own transaction. Replicas starting together queue on
 * a session-level advisory lock held on a connection of its own, so only one of them migrates.
 */
export async function runMigrations(url: string): Promise<MigrationReport> {
  const dataSource = new DataSource(createDataSourceOptions({ url, poolSize: 2 }));
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return { applied: applied.map((migration) => migration.name) };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}

/** Names of migrations the code has but the database has not recorded yet. */
export async function pendingMigrations(query: (sql: string) => Promise<Array<{ name: string }>>): Promise<string[]> {
  const known = MIGRATIONS.map((migration) => new migration().name ?? migration.name);
  let recorded: Set<string>;
  try {
    recorded = new Set((await query('SELECT name FROM migrations')).map((row) => row.name));
  } catch (error) {
    // 42P01 = undefined_table: nothing has been migrated yet.
    if ((error as { code?: string }).code === '42P01') return known;
    throw error;
  }
  return known.filter((name) => !recorded.has(name));
}
