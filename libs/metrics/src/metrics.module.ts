import { Module, type DynamicModule } from '@nestjs/common';
import { PushObserver } from '@wgfleet/node-sync';
import { PeersModule } from '@wgfleet/peers';
import { RateLimitObserver } from '@wgfleet/rate-limit';
import { ServersModule } from '@wgfleet/servers';
import { Registry } from 'prom-client';
import { FleetGauges } from './fleet-gauges.js';
import { HttpMetrics } from './http-metrics.js';
import { MetricsExposition } from './metrics-exposition.js';
import { MetricsOptions } from './metrics-options.js';
import { createMetricsRegistry } from './metrics-registry.js';
import { MetricsController } from './metrics.controller.js';
import { PushMetrics } from './push-metrics.js';
import { RateLimitMetrics } from './rate-limit-metrics.js';

/**
 * GET /metrics and the series behind it. Global, so the ports other libs declare (the reconciler's
 * PushObserver, the limiter's RateLimitObserver) find their implementations here; those libs never
 * import prom-client.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: { token?: string } = {}): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [ServersModule, PeersModule],
      controllers: [MetricsController],
      providers: [
        { provide: MetricsOptions, useValue: { token: options.token } satisfies MetricsOptions },
        { provide: Registry, useFactory: createMetricsRegistry },
        MetricsExposition,
        HttpMetrics,
        PushMetrics,
        RateLimitMetrics,
        FleetGauges,
        { provide: PushObserver, useExisting: PushMetrics },
        { provide: RateLimitObserver, useExisting: RateLimitMetrics },
      ],
      exports: [HttpMetrics, MetricsExposition, PushObserver, RateLimitObserver],
    };
  }
}
