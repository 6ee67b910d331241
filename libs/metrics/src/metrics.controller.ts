import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AppError, Public } from '@wgfleet/core';
import { MetricsExposition } from './metrics-exposition.js';
import { MetricsOptions } from './metrics-options.js';
import { bearerMatches } from './metrics-token.js';

/**
 * Prometheus scrapes here. Public to the API-key guard (so outside the portal's keys and rate
 * limits, like /health): an operator's endpoint, guarded by its own token when METRICS_TOKEN is set.
 */
@ApiTags('operations')
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly exposition: MetricsExposition,
    private readonly options: MetricsOptions,
  ) {}

  @Get('metrics')
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'HTTP requests by route and status with latencies, rate-limit refusals, reconciler pushes and failures, generations behind per server, ' +
      'node reachability, peers online, and Node process metrics; every series starts with `wgfleet_`. ' +
      'When the server sets METRICS_TOKEN, send `Authorization: Bearer <METRICS_TOKEN>` (not an API key); without it the route is open.',
    security: [],
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics, `text/plain; version=0.0.4`', schema: { type: 'string' } })
  @ApiUnauthorizedResponse({ description: 'METRICS_TOKEN is set and the request did not send it as a Bearer token (problem+json)' })
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.options.token !== undefined && !bearerMatches(authorization, this.options.token)) {
      void reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AppError('unauthenticated', 'send the metrics token as "Authorization: Bearer <METRICS_TOKEN>"');
    }
    const text = await this.exposition.render();
    void reply.header('content-type', this.exposition.contentType).header('cache-control', 'no-store');
    return text;
  }
}
