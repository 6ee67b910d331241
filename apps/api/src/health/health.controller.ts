import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { problemFor, PROBLEM_CONTENT_TYPE, Public } from '@wgfleet/core';
import { DatabaseHealth } from '@wgfleet/database';

@Public()
@Controller()
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  /** Liveness: the process answers. No database, no auth. */
  @Get('health')
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every migration is applied. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const readiness = await this.database.readiness();
    if (readiness.database === 'up' && readiness.migrations === 'applied') {
      return { status: 'ready', checks: readiness };
    }
    const reason =
      readiness.database === 'down'
        ? 'the database is unreachable'
        : `migrations are pending: ${(readiness.pending ?? []).join(', ')}; run npm run cli -- migrate`;
    void reply.status(503).header('content-type', PROBLEM_CONTENT_TYPE);
    return { ...problemFor('database_unavailable', `not ready: ${reason}`), checks: readiness };
  }
}
