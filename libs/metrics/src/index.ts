export { MetricsModule } from './metrics.module.js';
export { HttpMetrics, UNMATCHED_ROUTE } from './http-metrics.js';
export { MetricsExposition } from './metrics-exposition.js';
export { METRIC_PREFIX } from './metrics-registry.js';
