import { DEFAULT_BACKOFF, type BackoffPolicy } from '@wgfleet/core';

/** Tuning of the reconciler; an abstract-class token (STYLE.md §9), bound by NodeSyncModule.forRoot. */
export abstract class ReconcilerOptions {
  /** False: this process never pushes (it still tells other replicas about its commits). */
  abstract enabled: boolean;
  /** The periodic pass: servers behind, or not applied for this long, are pushed again (drift repair). */
  abstract intervalMs: number;
  /** Retry delays of a server whose push failed. */
  abstract backoff: BackoffPolicy;
  /** When another replica holds a server's lock, look again this much later (only if still behind). */
  abstract busyRetryMs: number;
  /**
   * The least time between the starts of two pushes of one server. The first change after a quiet
   * spell is pushed at once; a burst then becomes one push per gap, whatever its rate.
   */
  abstract minPushGapMs: number;
  /**
   * While a burst goes on (changes keep coming within the gap), the gap doubles up to this, so a
   * long burst costs a handful of pushes rather than one per `minPushGapMs`; a quiet spell brings
   * it back to `minPushGapMs`.
   */
  abstract maxPushGapMs: number;
  /** Pushes to different servers that may run at once in this process. */
  abstract maxConcurrentPushes: number;
  /** The status poller: one `wg show IF dump` per server per interval. */
  abstract pollIntervalMs: number;
  /** The plan enforcer's sweep (expiries, new monthly periods): an expiry is enforced within this plus one push. */
  abstract planSweepIntervalMs: number;
  /**
   * The replicas that share the status polling: the live pollers naming the same group split the
   * servers among them. Null: every replica of the fleet is one group — unless `scope` is set
   * (tests), where null makes this process a group of its own, since other files' replicas on the
   * same database never poll its servers.
   */
  abstract pollGroup: string | null;
  /** Use Postgres LISTEN/NOTIFY to wake other replicas' reconcilers. */
  abstract crossReplica: boolean;
  /**
   * The servers this reconciler may push; all when null. For tests, whose parallel files share
   * one database and must not see each other's servers reconciled.
   */
  abstract scope: ((serverId: number) => boolean) | null;
}

export const DEFAULT_RECONCILER_OPTIONS: ReconcilerOptions = {
  enabled: true,
  intervalMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  busyRetryMs: 1_000,
  minPushGapMs: 1_000,
  maxPushGapMs: 3_000,
  maxConcurrentPushes: 8,
  pollIntervalMs: 10_000,
  planSweepIntervalMs: 1_000,
  pollGroup: null,
  crossReplica: true,
  scope: null,
};

export function reconcilerOptions(overrides: Partial<ReconcilerOptions> = {}): ReconcilerOptions {
  return { ...DEFAULT_RECONCILER_OPTIONS, ...overrides, backoff: { ...DEFAULT_RECONCILER_OPTIONS.backoff, ...overrides.backoff } };
}
