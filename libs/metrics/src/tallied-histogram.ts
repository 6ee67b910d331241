import type { Metric, MetricValueWithName, Registry } from 'prom-client';
import { LatencyTally } from './latency-tally.js';

type Value = MetricValueWithName<string>;

/** What prom-client's registry renders: the shape of its own metrics' `get()`. */
export interface HistogramSamples {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: Value[];
}

/**
 * A histogram metric backed by a LatencyTally, registered in a prom-client registry, which renders
 * it with the rest: `get()` gives the same `_bucket` (cumulative, `le`), `_sum` and `_count`
 * samples prom-client's Histogram gives. Labels: method, route, status.
 */
export class TalliedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly tally: LatencyTally;

  constructor(
    readonly name: string,
    readonly help: string,
    bounds: readonly number[],
    registry: Registry,
  ) {
    this.tally = new LatencyTally(bounds);
    // The registry reads a metric only through name, help, type, aggregator, get() and reset().
    registry.registerMetric(this as unknown as Metric);
  }

  async get(): Promise<HistogramSamples> {
    const values: Value[] = [];
    const bounds = this.tally.bounds;
    for (const series of this.tally.series()) {
      const labels = { method: series.method, route: series.route, status: series.status };
      let cumulative = 0;
      for (let i = 0; i < bounds.length; i += 1) {
        cumulative += series.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bounds[i]! }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.tally.reset();
  }
}
