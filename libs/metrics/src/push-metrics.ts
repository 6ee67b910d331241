import { Inject, Injectable } from '@nestjs/common';
import { PushObserver, type PushFailureReason, type PushReport } from '@wgfleet/node-sync';
import { Counter, Histogram, Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics-registry.js';

const OUTCOMES = ['applied', 'failed'] as const;
const REASONS: readonly PushFailureReason[] = [
  'node_unreachable',
  'host_key_mismatch',
  'node_refused',
  'desired_state_unreadable',
  'lock_unavailable',
  'bookkeeping',
  'internal',
];

/** Seconds; a local push takes milliseconds, an SSH one to a far node a few seconds, a dead one its timeout. */
const PUSH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The reconciler's pushes (the node contacted), their duration, and failed attempts by reason class. */
@Injectable()
export class PushMetrics extends PushObserver {
  private readonly pushes: Counter<'outcome'>;
  private readonly duration: Histogram<'outcome'>;
  private readonly failures: Counter<'reason'>;

  constructor(@Inject(Registry) registry: Registry) {
    super();
    this.pushes = new Counter({
      name: `${METRIC_PREFIX}reconciler_pushes_total`,
      help: "Pushes of a server's whole state to its node, by outcome (applied or failed).",
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: `${METRIC_PREFIX}reconciler_push_duration_seconds`,
      help: 'How long a push to the node took, by outcome.',
      labelNames: ['outcome'],
      buckets: PUSH_BUCKETS,
      registers: [registry],
    });
    this.failures = new Counter({
      name: `${METRIC_PREFIX}reconciler_push_failures_total`,
      help: 'Failed push attempts by reason class, including those that failed before reaching the node (lock, desired state) or after it (bookkeeping).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const outcome of OUTCOMES) {
      this.pushes.inc({ outcome }, 0);
      this.duration.zero({ outcome });
    }
    for (const reason of REASONS) this.failures.inc({ reason }, 0);
  }

  pushed(report: PushReport): void {
    if (report.contacted) {
      this.pushes.inc({ outcome: report.outcome });
      this.duration.observe({ outcome: report.outcome }, report.seconds);
    }
    if (report.reason) this.failures.inc({ reason: report.reason });
  }
}
