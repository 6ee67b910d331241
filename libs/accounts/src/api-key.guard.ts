import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ONLY, AppError, PUBLIC_ROUTE, throwIfInputRefused, type Principal } from '@wgfleet/core';
import { RequestAuthenticator } from './request-authenticator.js';

/**
 * Every route that is not @Public() needs an API key within its rate limit; @AdminOnly() routes an
 * admin's. As the first guard of every route (the WGDashboard API's too), it first answers input
 * the body parser or the URL check refused: before any key is looked up or counted, and through
 * the route's own filter.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    throwIfInputRefused(request);
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const principal = await this.authenticator.authorize(request, http.getResponse<FastifyReply>());
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.kind !== 'admin') {
      throw new AppError('forbidden', 'this route needs an admin API key');
    }
    request.principal = principal;
    return true;
  }
}
