import type { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createValidationPipe, HttpErrorFilter, installJsonBodyParser, refuseNulInUrl, type Logger } from '@wgfleet/core';
import { HttpMetrics } from '@wgfleet/metrics';
import { ServerListFastPath } from '@wgfleet/peers';
import { serveOpenApi } from './openapi.js';

/** Pipes, filters, hooks and shutdown: everything that must be the same in main.ts and in tests. */
export function configureApp(app: NestFastifyApplication, logger: Logger): void {
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());

  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify);
  serveOpenApi(app);

  // Callback-style hooks: an async hook costs a promise per request on every route.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    refuseNulInUrl(request);
    done();
  });
  app.get(ServerListFastPath).install(app.getHttpAdapter() as unknown as FastifyAdapter);
  const requestLog = logger.child({ component: 'http' });
  const httpMetrics = app.get(HttpMetrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route template, never the raw path: a label per user id would grow without bound.
    httpMetrics.record(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    if (requestLog.isLevelEnabled('info')) {
      requestLog.info(
        {
          reqId: request.id,
          method: request.method,
          // The path only: a query string may carry something secret.
          path: request.url.split('?')[0],
          route: request.routeOptions.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
        },
        'request',
      );
    }
    done();
  });
}
