import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import type { ReconcilerOptions } from '@wgfleet/node-sync';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { TEST_MASTER_KEY } from './test-app.js';

/**
 * The whole app over HTTP (supertest on `app.getHttpServer()`) with the reconciler ON and the REAL
 * node drivers: only for lab tests, whose nodes are SSH targets in lab namespaces. `reconciler.scope`
 * is required so the reconciler never touches servers of other test files sharing the database (whose
 * rows carry made-up or local nodes: a push to one of them would land in this machine's namespace).
 */
export async function startReconcilingTestApp(
  reconciler: Partial<ReconcilerOptions> & { scope: (serverId: number) => boolean },
  env: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  if (typeof reconciler.scope !== 'function') throw new Error('startReconcilingTestApp: a scope is required');
  const logger = createLogger('silent');
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000', ...env, RECONCILER_ENABLED: 'true' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl: await migratedDatabaseUrl(), masterKey: TEST_MASTER_KEY, reconciler }),
    new FastifyAdapter({ loggerInstance: logger, bodyLimit: config.BODY_LIMIT_BYTES, trustProxy: false }),
    { logger: new PinoNestLogger(logger.child({ component: 'nest' })), abortOnError: false, bodyParser: false },
  );
  configureApp(app, logger);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
