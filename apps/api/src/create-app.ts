import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController, type FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig, Logger } from '@wgfleet/core';
import { answerFrameworkError, parseTrustedProxies, PinoNestLogger } from '@wgfleet/core';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { configureApp } from './configure-app.js';

/** An incoming X-Request-Id is kept only when it is short and plain, so it cannot forge log lines. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Builds the whole app, exactly as `main.ts` and the e2e tests use it. `testing`: a fake node
 * driver and reconciler tuning, for tests that need the real HTTP stack and pushes together.
 */
export async function createApp(
  config: AppConfig,
  databaseUrl: string,
  logger: Logger,
  masterKey: Buffer,
  testing: Pick<AppModuleOptions, 'nodeDriver' | 'reconciler'> = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot({ config, databaseUrl, masterKey, ...testing }), createFastifyAdapter(config, logger), {
    logger: new PinoNestLogger(logger.child({ component: 'nest' })),
    abortOnError: false,
    bodyParser: false,
  });
  configureApp(app, logger);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Fastify as the app runs on it; tests that must see the route table as it is registered build on it too. */
export function createFastifyAdapter(config: AppConfig, logger: Logger): FastifyAdapter {
  return new FastifyAdapter({
    loggerInstance: logger,
    // One line per request comes from configureApp's onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Only the balancers named in TRUST_PROXY may say who the client is (X-Forwarded-For).
    trustProxy: config.TRUST_PROXY === undefined ? false : parseTrustedProxies(config.TRUST_PROXY)!,
    // wgfleet uses no Nest middleware; without @fastify/middie no request pays for its hook.
    skipMiddie: true,
    // Fastify gives every request its own child logger; pino builds one eagerly (bindings
    // serialised through the redaction paths) though it is only written to when Fastify itself
    // warns about a request. The child is made on first use instead, with the same bindings.
    childLoggerFactory: (parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) => new LazyChildLogger(parent, bindings, options),
    // A URL the router refuses (bad percent-encoding, an overlong path parameter) as problem+json.
    frameworkErrors: answerFrameworkError,
  });
}

const LOG_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Stands in for `parent.child(bindings, options)` and makes that child the first time it is used,
 * so a request that logs nothing through `request.log` never pays for one. Every line it writes
 * is the real child's, reqId binding and redaction included.
 */
interface LazyChildLogger extends Pick<FastifyBaseLogger, (typeof LOG_METHODS)[number]> {}
class LazyChildLogger implements FastifyBaseLogger {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  target(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.options));
  }

  get level(): FastifyBaseLogger['level'] {
    return this.target().level;
  }
  set level(level: FastifyBaseLogger['level']) {
    this.target().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.target().child(bindings, options);
  }
}
for (const method of LOG_METHODS) {
  LazyChildLogger.prototype[method] = function (this: LazyChildLogger, ...args: unknown[]) {
    const target = this.target();
    (target[method] as (...args: unknown[]) => void).apply(target, args);
  } as FastifyBaseLogger[typeof method];
}
