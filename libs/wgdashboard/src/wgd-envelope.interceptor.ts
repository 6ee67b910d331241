import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { envelope } from './envelope.js';
import { applyWgdCors } from './wgd-cors.js';
import type { WgdResult } from './wgd-result.js';

/** Upstream's exact media type: `application/json`, no charset. */
export const WGD_CONTENT_TYPE = 'application/json';

/**
 * Turns what a WGDashboard endpoint returns into the envelope's bytes (notes §1.2), as a Buffer:
 * Fastify would append `; charset=utf-8` to the media type of a string body, and upstream's is bare.
 */
@Injectable()
export class WgdEnvelopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler<WgdResult>): Observable<Buffer> {
    const http = context.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((result) => {
        applyWgdCors(http.getRequest<FastifyRequest>(), reply);
        void reply.header('content-type', WGD_CONTENT_TYPE);
        return Buffer.from(envelope(result.status, result.message, result.data), 'utf8');
      }),
    );
  }
}
