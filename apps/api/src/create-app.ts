import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig, Logger } from '@wgfleet/core';
import { PinoNestLogger } from '@wgfleet/core';
import { AppModule } from './app.module.js';
import { configureApp } from './configure-app.js';

/** An incoming X-Request-Id is kept only when it is short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the whole app, exactly as `main.ts` and the e2e tests use it. */
export async function createApp(config: AppConfig, databaseUrl: string, logger: Logger, masterKey: Buffer): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request comes from configureApp's onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, databaseUrl, masterKey }), adapter, {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
    bodyParser: false,
  });
  configureApp(app, logger);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
