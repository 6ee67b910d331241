import { Inject, Injectable } from '@nestjs/common';
import { RateLimitObserver, type RateLimitKind } from '@wgfleet/rate-limit';
import { Counter, Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics-registry.js';

const KINDS: readonly RateLimitKind[] = ['key', 'failed_auth_ip'];

/** Requests refused with 429, by the limit that refused them. */
@Injectable()
export class RateLimitMetrics extends RateLimitObserver {
  private readonly rejections: Counter<'kind'>;

  constructor(@Inject(Registry) registry: Registry) {
    super();
    this.rejections = new Counter({
      name: `${METRIC_PREFIX}rate_limit_rejections_total`,
      help: 'Requests refused with 429: kind="key" (the per-key window) or kind="failed_auth_ip" (failed authentications per client address).',
      labelNames: ['kind'],
      registers: [registry],
    });
    // Both series exist from the start, so a rate() over them is defined before the first refusal.
    for (const kind of KINDS) this.rejections.inc({ kind }, 0);
  }

  rejected(kind: RateLimitKind): void {
    this.rejections.inc({ kind });
  }
}
