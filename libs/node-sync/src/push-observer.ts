/** Why a push attempt failed, as a small fixed set (a metric label; never the message itself). */
export type PushFailureReason =
  | 'node_unreachable'
  | 'host_key_mismatch'
  | 'node_refused'
  | 'desired_state_unreadable'
  | 'lock_unavailable'
  | 'bookkeeping'
  | 'internal';

/** One push attempt that got as far as the node (`seconds` is the time spent on it), or one that failed before or after. */
export interface PushReport {
  serverId: number;
  /** True when the node was contacted: the attempt counts as a push and its duration is observed. */
  contacted: boolean;
  outcome: 'applied' | 'failed';
  seconds: number;
  reason?: PushFailureReason;
}

/**
 * The reconciler's reports of its pushes, for metrics. A port (STYLE.md §9): node-sync knows no
 * metrics library; the app binds an implementation, and without one nothing is reported.
 * Called synchronously after each attempt, so an implementation must be cheap and never throw.
 */
export abstract class PushObserver {
  abstract pushed(report: PushReport): void;
}
