import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics-registry.js';
import { TalliedHistogram } from './tallied-histogram.js';

/** Label for a request no route matched (404s of unknown paths): the raw path would be unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds; from a cached hit (well under a millisecond) to a slow database write. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * HTTP requests by method, route TEMPLATE and status, with their latency: one histogram, whose
 * `_count` is the request count. Labels are bounded by the app's routes — never the raw path,
 * whose ids would make a series per user. Recorded from the app's `onResponse` hook, which also
 * sees the requests that hooks answer before Nest (the server-list fast path); a request costs a
 * few Map lookups (LatencyTally), the rendering happens on scrape.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration: TalliedHistogram;

  constructor(@Inject(Registry) registry: Registry) {
    this.duration = new TalliedHistogram(
      `${METRIC_PREFIX}http_request_duration_seconds`,
      'HTTP requests by method, route template and status, and how long they took (from the request to the last byte of the reply).',
      LATENCY_BUCKETS,
      registry,
    );
  }

  /** One finished request; `route` is Fastify's `routeOptions.url` (undefined when no route matched). */
  record(method: string, route: string | undefined, status: number, seconds: number): void {
    this.duration.tally.record(KNOWN_METHODS.has(method) ? method : 'other', route ?? UNMATCHED_ROUTE, status, seconds);
  }
}
