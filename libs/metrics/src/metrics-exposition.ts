import { Inject, Injectable } from '@nestjs/common';
import { Registry } from 'prom-client';

/** The registry rendered in the Prometheus text format: what GET /metrics answers (and tests read). */
@Injectable()
export class MetricsExposition {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
