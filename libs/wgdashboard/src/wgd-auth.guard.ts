import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '@wgfleet/core';
import { FailedAuthentications } from '@wgfleet/rate-limit';
import { WgdApiKeys, type WgdKeyGrant } from './wgd-api-keys.service.js';
import { WGD_NO_AUTH } from './wgd-no-auth.decorator.js';
import { WgdHttpError } from './wgd-result.js';

export const WGD_KEY_HEADER = 'wg-dashboard-apikey';

export const TOO_MANY_FAILURES = 'Too many failed authentication attempts from this address; retry after the Retry-After seconds';

export type WgdRequest = FastifyRequest & { wgdGrant?: WgdKeyGrant };

/**
 * Upstream's `auth_req` with API keys on (notes §1.3, steps 4-5): a non-empty `wg-dashboard-apikey`
 * must be a known key, else 401 "API Key does not exist"; no key at all is 401 "Unauthorized
 * access." (there are no browser sessions here). Whitelisted routes pass without a key, but a key
 * that is sent must be valid there too. Like upstream, an `OPTIONS` (a CORS preflight, which never
 * carries the key) is answered before any of this.
 *
 * Every 401 counts against the client address's failed-authentication limit, the one the portal's
 * Bearer keys count against too (AUTH_FAILURES_PER_MINUTE); past it the answer is 429.
 */
@Injectable()
export class WgdAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: WgdApiKeys,
    private readonly failures: FailedAuthentications,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<WgdRequest>();
    if (request.method === 'OPTIONS') return true;
    const reply = http.getResponse<FastifyReply>();
    // Node joins (or drops) a repeated header: which of two keys would be "the" key is not for us to
    // guess. Upstream reads them joined with ", ", which is no key: the same 401, before any lookup.
    if (keyHeaderCount(request) > 1) return this.refuse(request, reply, 'API Key does not exist');
    const open = this.reflector.getAllAndOverride<boolean>(WGD_NO_AUTH, [context.getHandler(), context.getClass()]) === true;
    const header = request.headers[WGD_KEY_HEADER];
    const key = typeof header === 'string' ? header : '';
    if (key !== '') {
      const grant = await this.keys.authenticate(key);
      // Upstream checks a sent key before its whitelist: a wrong key is refused on open routes too.
      if (!grant) return this.refuse(request, reply, 'API Key does not exist');
      request.wgdGrant = grant;
      return true;
    }
    if (!open) return this.refuse(request, reply, 'Unauthorized access.');
    return true;
  }

  private async refuse(request: FastifyRequest, reply: FastifyReply, message: string): Promise<never> {
    const refusal = await this.failures.record(request.ip, this.config.AUTH_FAILURES_PER_MINUTE);
    if (refusal) {
      void reply.header('retry-after', String(refusal.retryAfterSeconds));
      throw new WgdHttpError(429, TOO_MANY_FAILURES);
    }
    throw new WgdHttpError(401, message);
  }
}

/** How many `wg-dashboard-apikey` lines the request really had (header names are case-insensitive). */
function keyHeaderCount(request: FastifyRequest): number {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === WGD_KEY_HEADER.length && raw[i]!.toLowerCase() === WGD_KEY_HEADER) count++;
  return count;
}
