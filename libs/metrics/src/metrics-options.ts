/** Settings of /metrics; an abstract-class token (STYLE.md §9), bound by MetricsModule.forRoot. */
export abstract class MetricsOptions {
  /** The Bearer token a scrape must send (METRICS_TOKEN); undefined leaves /metrics open. */
  abstract readonly token: string | undefined;
}
