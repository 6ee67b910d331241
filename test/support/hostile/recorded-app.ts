import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import { runMigrations } from '@wgfleet/database';
import { FakeNodeDriver } from '@wgfleet/node-sync';
import { AppModule } from '../../../apps/api/src/app.module.js';
import { configureApp } from '../../../apps/api/src/configure-app.js';
import { createFastifyAdapter } from '../../../apps/api/src/create-app.js';
import { createEmptyDatabase } from '../../setup/test-database.js';
import { TEST_MASTER_KEY } from '../test-app.js';

export interface ServedRoute {
  method: string;
  /** Fastify's template: `/api/wg/users/:id`. */
  url: string;
}

export interface RecordedApp {
  app: NestFastifyApplication;
  /** Every route the app serves, as Fastify registered it (HEAD twins left out). */
  routes: ServedRoute[];
  databaseUrl: string;
}

/**
 * The whole app as create-app.ts builds it (its Fastify adapter, the module, configureApp), with two
 * differences for hostile-input tests: a database of its own (so a snapshot of every table sees
 * only this file's requests), and the route table recorded as Fastify registers it, so a new
 * route reaches the tests without anyone listing it. Nodes are a fake driver: WGDashboard's ping,
 * traceroute and systemStatus never run on this machine.
 */
export async function startRecordedApp(databaseName: string, env: Record<string, string> = {}): Promise<RecordedApp> {
  const databaseUrl = await createEmptyDatabase(databaseName);
  await runMigrations(databaseUrl);
  const config = loadConfig({ LOG_LEVEL: 'silent', RECONCILER_ENABLED: 'false', ...env });
  const adapter = createFastifyAdapter(config, createLogger('silent'));
  const routes: ServedRoute[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl, masterKey: TEST_MASTER_KEY, nodeDriver: new FakeNodeDriver() }),
    adapter,
    { logger: new PinoNestLogger(createLogger('silent')), abortOnError: false, bodyParser: false },
  );
  configureApp(app, createLogger('silent'));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, routes, databaseUrl };
}
