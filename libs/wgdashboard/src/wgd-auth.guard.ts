import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { WgdApiKeys, type WgdKeyGrant } from './wgd-api-keys.service.js';
import { WGD_NO_AUTH } from './wgd-no-auth.decorator.js';
import { WgdHttpError } from './wgd-result.js';

export const WGD_KEY_HEADER = 'wg-dashboard-apikey';

export type WgdRequest = FastifyRequest & { wgdGrant?: WgdKeyGrant };

/**
 * Upstream's `auth_req` with API keys on (notes §1.3, steps 4-5): a non-empty `wg-dashboard-apikey`
 * must be a known key, else 401 "API Key does not exist"; no key at all is 401 "Unauthorized
 * access." (there are no browser sessions here). Whitelisted routes pass without a key, but a key
 * that is sent must be valid there too.
 */
@Injectable()
export class WgdAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: WgdApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WgdRequest>();
    const open = this.reflector.getAllAndOverride<boolean>(WGD_NO_AUTH, [context.getHandler(), context.getClass()]) === true;
    const header = request.headers[WGD_KEY_HEADER];
    const key = typeof header === 'string' ? header : '';
    if (key !== '') {
      const grant = await this.keys.authenticate(key);
      // Upstream checks a sent key before its whitelist: a wrong key is refused on open routes too.
      if (!grant) throw new WgdHttpError(401, 'API Key does not exist');
      request.wgdGrant = grant;
      return true;
    }
    if (!open) throw new WgdHttpError(401, 'Unauthorized access.');
    return true;
  }
}
