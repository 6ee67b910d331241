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
    const credentials = authorizationOf(request);
    const token = credentials === REPEATED ? null : bearerToken(credentials);
    // A repeated credential is never looked up: which one would it be?
    const authentication = token ? await this.apiKeys.authenticate(token) : ({ ok: false, reason: credentials === REPEATED ? 'repeated' : 'malformed' } as const);
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

const REPEATED = Symbol('repeated Authorization');

/**
 * The request's one Authorization value, or REPEATED when it carries more than one credential:
 * the header twice (Node's parser keeps the first `authorization` and drops the others, so they
 * are counted in rawHeaders) or one header listing several (`Bearer a, Bearer b`).
 */
function authorizationOf(request: FastifyRequest): string | undefined | typeof REPEATED {
  const raw = request.raw.rawHeaders;
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization' && ++count > 1) return REPEATED;
  }
  const header = request.headers.authorization;
  if (Array.isArray(header)) return REPEATED;
  return header !== undefined && header.includes(',') ? REPEATED : header;
}

/** `Authorization: Bearer <token>`, the scheme in any case. */
function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

function unauthenticatedMessage(reason: 'repeated' | 'malformed' | 'unknown' | 'revoked' | 'expired', hadBearer: boolean): string {
  if (reason === 'repeated') return 'send exactly one "Authorization: Bearer wg_…" header holding one API key';
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
