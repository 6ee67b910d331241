/** One series: requests of one method, route and status, counted per latency bucket. */
export interface TallySeries {
  method: string;
  route: string;
  status: number;
  /** Per bucket, NOT cumulative; the last slot counts values above the highest bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * The HTTP latency histogram's state, kept as plain numbers so that recording a request is a few
 * Map lookups and two additions (prom-client's own `observe` builds a label hash string per call,
 * ~0.6 µs, which this hot path does not pay). Rendered into prom-client's format on scrape.
 * Pure: no I/O, no clock.
 */
export class LatencyTally {
  private readonly byRoute = new Map<string, Map<string, Map<number, TallySeries>>>();

  /** `bounds` ascending, in seconds (Prometheus `le` bounds, +Inf implied). */
  constructor(readonly bounds: readonly number[]) {}

  record(method: string, route: string, status: number, seconds: number): void {
    let byMethod = this.byRoute.get(route);
    if (!byMethod) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (!series) byStatus.set(status, (series = { method, route, status, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 }));
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket += 1;
    series.counts[bucket]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  *series(): IterableIterator<TallySeries> {
    for (const byMethod of this.byRoute.values()) for (const byStatus of byMethod.values()) yield* byStatus.values();
  }

  reset(): void {
    this.byRoute.clear();
  }
}
