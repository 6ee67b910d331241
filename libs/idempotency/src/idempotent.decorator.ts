import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * Makes a POST create route idempotent under the `Idempotency-Key` header (see
 * IdempotencyInterceptor). The route's module must import IdempotencyModule.
 */
export const Idempotent = () =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Up to 255 visible ASCII characters. The same key and request within 24 h replays the first response ' +
        '(header Idempotent-Replayed: true); the same key with another request is 422 idempotency_key_reused; ' +
        'while the first request runs, 409 idempotency_key_in_flight. A failed request frees its key. If the server ' +
        'running the first request stopped after its write and before answering, 409 conflict: the write was done once.',
    }),
  );
