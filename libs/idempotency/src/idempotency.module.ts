import { Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { ClaimLocks } from './claim-locks.js';
import { CommitMarker } from './commit-marker.js';
import { IdempotencyStore } from './idempotency.store.js';

/** Import it in a feature module whose controllers use `@Idempotent()`. */
@Module({
  providers: [ClaimLocks, CommitMarker, IdempotencyStore, IdempotencyInterceptor],
  exports: [IdempotencyStore, CommitMarker, IdempotencyInterceptor],
})
export class IdempotencyModule {}
