import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AccountsService, ApiKeysService, type AccountKind } from '@wgfleet/accounts';
import { createLogger, loadConfig } from '@wgfleet/core';
import { createApp } from '../../apps/api/src/create-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';

/** The whole app as main.ts builds it, on the run's PostgreSQL. */
export const TEST_MASTER_KEY = Buffer.alloc(32, 7);

export async function startTestApp(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
  // The test app's nodes are rows with made-up addresses: nothing may be pushed to this machine.
  // The reconciler's own tests run it against a fake driver.
  const config = loadConfig({ LOG_LEVEL: 'silent', RECONCILER_ENABLED: 'false', ...env });
  return createApp(config, await migratedDatabaseUrl(), createLogger('silent'), TEST_MASTER_KEY);
}

let counter = 0;

/** A new account with one key: every test makes its own tenants instead of sharing the world. */
export async function makeAccount(
  app: NestFastifyApplication,
  kind: AccountKind,
  options: { parentId?: number; name?: string } = {},
): Promise<{ id: number; key: string; keyId: number }> {
  const accounts = app.get(AccountsService);
  // Admins too get an account of their own: the run shares one database, and one shared admin
  // account would reach its 5-key limit as test files add up.
  const account = await accounts.create({ name: options.name ?? `${kind}-${++counter}-${process.pid}`, kind, parentId: options.parentId });
  const { record, key } = await app.get(ApiKeysService).create(account.id, { name: `test key ${++counter}` });
  return { id: account.id, key, keyId: record.id };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The key with its last character changed: always another key (a fixed "x" would be the same key when it ends in x). */
export const tamperedKey = (key: string) => `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
