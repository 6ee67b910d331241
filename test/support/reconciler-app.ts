import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import type { NodeDriver, ReconcilerOptions } from '@wgfleet/node-sync';
import { AppModule } from '../../apps/api/src/app.module.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { TEST_MASTER_KEY } from './test-app.js';

/**
 * The whole app's module (no HTTP server), initialised on the run's PostgreSQL, with the reconciler
 * pushing to `driver` (a test's fake node) under `reconciler`'s options. Parallel test files share
 * the database: give it a `scope` with only the servers the file creates. `override` replaces more
 * of our own ports (a clock).
 */
export async function startReconcilerApp(
  driver: NodeDriver,
  reconciler: Partial<ReconcilerOptions>,
  override: (builder: TestingModuleBuilder) => TestingModuleBuilder = (builder) => builder,
): Promise<TestingModule> {
  const builder = Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        config: loadConfig({ LOG_LEVEL: 'silent' }),
        databaseUrl: await migratedDatabaseUrl(),
        masterKey: TEST_MASTER_KEY,
        nodeDriver: driver,
        reconciler,
      }),
    ],
  });
  const moduleRef = await override(builder)
    .setLogger(new PinoNestLogger(createLogger('silent')))
    .compile();
  await moduleRef.init();
  return moduleRef;
}
