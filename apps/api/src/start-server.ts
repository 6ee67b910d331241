import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, loadMasterKey, type AppConfig, type Logger } from '@wgfleet/core';
import { provideDatabase, runMigrations, type DatabaseHandle } from '@wgfleet/database';
import { createApp } from './create-app.js';

export interface RunningServer {
  app: NestFastifyApplication;
  database: DatabaseHandle;
  logger: Logger;
  address: string;
}

/** Config → database (embedded or DATABASE_URL) → migrations → HTTP. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.LOG_LEVEL);
  const masterKey = loadMasterKey(config);
  if (masterKey.generated) logger.warn({ file: masterKey.source }, 'generated a new master key for secrets at rest; back it up, or set MASTER_KEY');
  const database = await provideDatabase(config, logger);
  try {
    const { applied } = await runMigrations(database.url);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const app = await createApp(config, database.url, logger, masterKey.key);
    await app.listen({ host: config.HOST, port: config.PORT });
    return { app, database, logger, address: listeningAddress(app, config) };
  } catch (error) {
    await database.stop();
    throw error;
  }
}

function listeningAddress(app: NestFastifyApplication, config: AppConfig): string {
  const bound = app.getHttpServer().address();
  const port = typeof bound === 'object' && bound ? bound.port : config.PORT;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function startBanner(server: RunningServer): string {
  return [
    '',
    `wgfleet is listening on ${server.address}`,
    `  database  ${server.database.description}`,
    `  check     curl -s ${server.address}/ready`,
    `  next      npm run cli -- help        (migrations and admin commands)`,
    `  stop      Ctrl-C (the API, then the database, stop cleanly)`,
    '',
  ].join('\n');
}

/** SIGINT/SIGTERM: stop taking requests, close the app, then the database. A second signal forces. */
export function stopOnSignals(server: RunningServer): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      server.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    try {
      await server.app.close();
      await server.database.stop();
      server.logger.info('stopped');
      process.exit(0);
    } catch (error) {
      server.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
