export { IdempotencyModule } from './idempotency.module.js';
export { Idempotent } from './idempotent.decorator.js';
export { IdempotencyInterceptor, IDEMPOTENCY_KEY_HEADER } from './idempotency.interceptor.js';
export { IdempotencyStore, IDEMPOTENCY_TTL_HOURS } from './idempotency.store.js';
export { canonicalJson, isValidIdempotencyKey, requestFingerprint } from './fingerprint.js';
export { CommitMarker, type ClaimedRequest } from './commit-marker.js';
export { claimLockKeys, IDEMPOTENCY_LOCK_NAMESPACE } from './claim-locks.js';
