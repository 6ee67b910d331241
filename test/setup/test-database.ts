import { Client } from 'pg';
import { runMigrations } from '@wgfleet/database';

/** The run's PostgreSQL (started by global-setup.mjs), migrated once per test file. */
export async function migratedDatabaseUrl(): Promise<string> {
  const url = testDatabaseUrl();
  await runMigrations(url);
  return url;
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (test/setup/global-setup.mjs)');
  return url;
}

/** A new, empty database on the same server, for tests that need one without migrations. */
export async function createEmptyDatabase(name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const url = new URL(testDatabaseUrl());
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

export { freePort } from '../support/free-port.js';
