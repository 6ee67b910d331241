import { Injectable, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig, AppError, type Principal } from '@wgfleet/core';
import { FailedAuthentications, RateLimiter, rateLimitHeaders, RateLimitObserver } from '@wgfleet/rate-limit';
import { ApiKeysService } from './api-keys.service.js';

const BEARER = /^bearer +(\S+)$/i;

// The outcome is kept on the request: a Fastify hook that serves a hot route before Nest (see
// ServerListFastPath) and the Nest guard after it must authenticate and count a request once.
// (A WeakMap keyed by request measured slower: a new ephemeron per request for the GC to trace.)
const OUTCOME = Symbol('wgfleet.authorization');
type AuthorizedRequest = FastifyRequest & { [OUTCOME]?: Promise<Principal> };


/**
 * Authentication, then the per-key rate limit, for one request; the rate-limit headers go on the
 * reply. Failed attempts are counted per client IP as well, so guessing keys is throttled too.
 * Rejects with the AppError to answer (401, 403 suspended, 429).
 */
@Injectable()
export class RequestAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly limiter: RateLimiter,
    private readonly failures: FailedAuthentications,
    private readonly config: AppConfig,
    // Bound by the app's metrics module; without it refusals are not counted.
    @Optional() private readonly rejections?: RateLimitObserver,
  ) {}

  /** Once per request: a second call gets the first call's outcome. */
  authorize(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const target = request as AuthorizedRequest;
    return (target[OUTCOME] ??= this.run(request, reply));
  }

  private async run(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const token = bearerToken(request.headers.authorization);
    const authentication = token ? await this.apiKeys.authenticate(token) : ({ ok: false, reason: 'malformed' } as const);
    if (!authentication.ok) {
      // Counted with the WGDashboard API's failures: one limit per address, whichever API is guessed at.
      const refusal = await this.failures.record(request.ip, this.config.AUTH_FAILURES_PER_MINUTE);
      if (refusal) {
        void reply.headers(refusal.headers);
        throw new AppError('rate_limited', 'too many failed authentication attempts from this address; wait before retrying');
      }
      throw new AppError('unauthenticated', unauthenticatedMessage(authentication.reason, token !== null));
    }

    const { key } = authentication;
    const state = await this.limiter.consume(`key:${key.apiKeyId}`);
    void reply.headers(rateLimitHeaders(state, this.limiter.windowSeconds));
    if (!state.allowed) {
      this.rejections?.rejected('key');
      throw new AppError('rate_limited', `rate limit of ${state.limit} requests per minute for this API key reached; retry after the Retry-After seconds`);
    }
    if (key.suspended) throw new AppError('account_suspended', 'this account is suspended; contact your provider');
    this.apiKeys.recordUse(key.apiKeyId, request.ip);
    return { accountId: key.accountId, kind: key.kind, parentId: key.parentId, apiKeyId: key.apiKeyId, sourceIp: request.ip };
  }
}

/** Exactly one `Authorization: Bearer <token>` header; a repeated header arrives as an array. */
function bearerToken(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  return BEARER.exec(header)?.[1] ?? null;
}

function unauthenticatedMessage(reason: 'malformed' | 'unknown' | 'revoked' | 'expired', hadBearer: boolean): string {
  if (!hadBearer) return 'send an API key as "Authorization: Bearer wg_…"';
  switch (reason) {
    case 'malformed':
      return 'the API key is malformed or its checksum does not match; copy the whole wg_ key';
    case 'expired':
      return 'the API key has expired; create a new one';
    default:
      return 'the API key is not valid (unknown or revoked)';
  }
}
