import { Test, type TestingModule } from '@nestjs/testing';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import type { NodeDriver, ReconcilerOptions } from '@wgfleet/node-sync';
import { AppModule } from '../../apps/api/src/app.module.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { TEST_MASTER_KEY } from './test-app.js';

/**
 * The whole app's module (no HTTP server), initialised on the run's PostgreSQL, with the reconciler
 * pushing to `driver` (a test's fake node) under `reconciler`'s options. Parallel test files share
 * the database: give it a `scope` with only the servers the file creates.
 */
export async function startReconcilerApp(driver: NodeDriver, reconciler: Partial<ReconcilerOptions>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        config: loadConfig({ LOG_LEVEL: 'silent' }),
        databaseUrl: await migratedDatabaseUrl(),
        masterKey: TEST_MASTER_KEY,
        nodeDriver: driver,
        reconciler,
      }),
    ],
  })
    .setLogger(new PinoNestLogger(createLogger('silent')))
    .compile();
  await moduleRef.init();
  return moduleRef;
}
