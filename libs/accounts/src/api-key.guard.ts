import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ADMIN_ONLY, AppError, PUBLIC_ROUTE, type Principal } from '@wgfleet/core';
import { RequestAuthenticator } from './request-authenticator.js';

/** Every route that is not @Public() needs an API key within its rate limit; @AdminOnly() routes an admin's. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = await this.authenticator.authorize(request, http.getResponse<FastifyReply>());
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.kind !== 'admin') {
      throw new AppError('forbidden', 'this route needs an admin API key');
    }
    request.principal = principal;
    return true;
  }
}
