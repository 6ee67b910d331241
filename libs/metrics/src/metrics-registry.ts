import { collectDefaultMetrics, Registry } from 'prom-client';

/** Every series wgfleet exposes starts with this (Prometheus naming: one prefix per application). */
export const METRIC_PREFIX = 'wgfleet_';

/**
 * One registry per app instance, never prom-client's global one: tests run two replicas in one
 * process, and each must count its own requests. Node's process metrics (CPU, memory, event loop
 * lag, GC) are collected on scrape, prefixed like ours.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}
