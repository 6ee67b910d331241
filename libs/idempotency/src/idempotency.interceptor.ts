import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { AppError, type Principal } from '@wgfleet/core';
import { CommitMarker, type ClaimedRequest } from './commit-marker.js';
import { isValidIdempotencyKey, requestFingerprint } from './fingerprint.js';
import { IdempotencyStore } from './idempotency.store.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
/** Where `@HttpCode()` keeps the route's status (Nest's HTTP_CODE_METADATA, not exported from the package root). */
const HTTP_CODE_METADATA = '__httpCode__';

/**
 * `Idempotency-Key` on a create route: the first request runs and its response is kept; the same
 * key with the same request within 24 h gets that response again byte for byte, without running
 * the handler. The body is serialised here (not by Fastify) so that the stored bytes are exactly
 * the bytes sent. Without the header the route behaves as if this interceptor were not there.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(
    private readonly store: IdempotencyStore,
    private readonly marker: CommitMarker,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const reply = http.getResponse<FastifyReply>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (header === undefined) return next.handle();
    if (!isValidIdempotencyKey(header)) {
      throw new AppError('validation_failed', 'the Idempotency-Key header must be 1–255 visible ASCII characters (no spaces)', [
        { field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters (no spaces)' },
      ]);
    }
    const principal = request.principal;
    if (!principal) throw new Error('IdempotencyInterceptor used on a route without authentication');
    const key = header;
    const accountId = principal.accountId;
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    const fingerprint = requestFingerprint(request.method, request.url, request.body);

    return from(this.store.claim(accountId, key, fingerprint)).pipe(
      mergeMap((claim) => {
        switch (claim.kind) {
          case 'reused':
            throw new AppError(
              'idempotency_key_reused',
              'this Idempotency-Key was already used for a different request; use a new key for a new request',
            );
          case 'in_flight':
            throw new AppError(
              'idempotency_key_in_flight',
              'a request with this Idempotency-Key is still being processed; retry after it has finished',
            );
          case 'outcome_unknown':
            throw new AppError(
              'conflict',
              'the first request with this Idempotency-Key was carried out, but its response was lost (the server handling it stopped); ' +
                'look the created resource up instead of retrying, and use a new key for a new request',
            );
          case 'replay':
            void reply
              .header('content-type', claim.response.contentType)
              .header('cache-control', 'no-store')
              .header('idempotent-replayed', 'true');
            // The route's own status is the stored one (only successes are stored).
            return of(claim.response.body);
          case 'claimed':
            return this.runAndStore(next, reply, claim.request, status);
        }
      }),
    );
  }

  private runAndStore(next: CallHandler, reply: FastifyReply, claimed: ClaimedRequest, status: number): Observable<unknown> {
    // The handler runs as the claimed request: its committing write marks the claim (CommitMarker).
    return this.marker.within(claimed, () => next.handle()).pipe(
      mergeMap(async (result) => {
        claimed.open = false;
        const body = JSON.stringify(result);
        void reply.header('content-type', JSON_CONTENT_TYPE);
        try {
          await this.store.complete(claimed, { status, contentType: JSON_CONTENT_TYPE, body });
        } catch (error) {
          // The write itself succeeded; answer it, and let go of the claim (its commit mark keeps the key from running again).
          this.logger.error({ msg: 'could not store an idempotent response', accountId: claimed.accountId, err: error });
          await this.store.release(claimed).catch(() => undefined);
        }
        return body;
      }),
      catchError((error: unknown) => {
        claimed.open = false;
        return from(this.store.release(claimed).catch(() => undefined)).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
