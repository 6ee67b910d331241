import { AsyncResource } from 'node:async_hooks';
import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { backoffDelay } from '@wgfleet/core';
import { PeersService } from '@wgfleet/peers';
import { PortForwardsService } from '@wgfleet/port-forwards';
import { FleetChanges, ReconcileRequests, ServerRemovals, ServerSyncRecords } from '@wgfleet/servers';
import { WireguardInputError } from '@wgfleet/wireguard';
import { DesiredStateReader, type DesiredSnapshot } from './desired-state.reader.js';
import { InterfaceRemover } from './interface-remover.js';
import { HostKeyMismatchError, InterfaceMissingError, NodeCommandError, NodeDriver, NodeUnreachableError } from './node-driver.js';
import { PushObserver, type PushFailureReason } from './push-observer.js';
import { ReconcileChannel } from './reconcile-channel.js';
import { ReconcilerOptions } from './reconciler-options.js';
import { SyncLocks, type SyncLock } from './sync-locks.js';

type PushOutcome = 'applied' | 'up_to_date' | 'failed' | 'busy' | 'gone';

/** Gap-bound pushes in a row before the gap starts to grow: quick edits by hand stay at the minimum. */
const BURST_AFTER_GAP_BOUND_PUSHES = 2;

/** What this process knows about one server between pushes. */
interface ServerRun {
  /** The loop that pushes this server, while one runs. */
  running: Promise<void> | null;
  /** A wake arrived during the running push: push once more when it ends. */
  dirty: boolean;
  /** The admin's request arrived during the running push: should it fail, push again at once instead of backing off. */
  nowRequested: boolean;
  /** Push even when the applied generation is current (drift repair, a change, an admin request). */
  force: boolean;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
  /** When this process last started pushing it (for the push gap). */
  lastPushAt: number;
  /** The current least time between two pushes: minPushGapMs, doubled while a burst goes on. */
  gapMs: number;
  /** Pushes in a row that had to wait for the gap (see adaptGap). */
  gapBoundPushes: number;
}

/** A failed push, sorted by what it means for the users and the node. */
interface FailureKind {
  /** Safe to store and show: no key material, no stderr beyond what the driver vetted. */
  message: string;
  /** Pending users and forwards become `error` (the node refused); otherwise they stay `pending` (it was unreachable). */
  refusesPeers: boolean;
  /** What the failure says about the node: unreachable, reachable, or nothing (our own bug). */
  nodeReachable: boolean | null;
  /** The class of failure, for metrics. */
  reason: PushFailureReason;
}

/**
 * Makes every server's node match Postgres (DESIGN.md, the spine). Woken after commit (this
 * process's FleetChanges, other replicas' NOTIFY, the admin's reconcile request), it coalesces
 * bursts per server — while a push runs, wakes only set `dirty`, and one more push follows — and
 * pushes one server at a time across replicas under a Postgres advisory lock. The state is read
 * and rendered fresh under the lock, so whichever replica pushes last pushes the newest
 * generation. No transaction stays open while the node is contacted.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Reconciler.name);
  private readonly runs = new Map<number, ServerRun>();
  private readonly channel: ReconcileChannel;
  private readonly unsubscribe: Array<() => void> = [];
  private periodicTimer: NodeJS.Timeout | null = null;
  private periodicPass: Promise<void> | null = null;
  private closing = false;
  // A tiny semaphore: at most maxConcurrentPushes servers are contacted at once.
  private activePushes = 0;
  private readonly pushQueue: Array<() => void> = [];
  // Gap waits in progress, cut short on shutdown.
  private readonly sleepers = new Set<() => void>();
  /**
   * Runs work in the async context this service was made in. A push is often started by the commit
   * of a request, and would otherwise carry that request's context (its AsyncLocalStorage stores,
   * such as an idempotency claim's) into every transaction of the push, long after the request.
   */
  private readonly outsideRequests = AsyncResource.bind(<T>(work: () => T): T => work());

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly reader: DesiredStateReader,
    private readonly driver: NodeDriver,
    private readonly changes: FleetChanges,
    private readonly requests: ReconcileRequests,
    private readonly peers: PeersService,
    private readonly forwards: PortForwardsService,
    private readonly remover: InterfaceRemover,
    private readonly records: ServerSyncRecords,
    private readonly options: ReconcilerOptions,
    private readonly removals: ServerRemovals,
    private readonly locks: SyncLocks,
    // Bound by the app's metrics module; tests and tools without it report nothing.
    @Optional() private readonly observer?: PushObserver,
  ) {
    this.channel = new ReconcileChannel(dataSource, (serverIds, now) => serverIds.forEach((id) => this.wake(id, { now })));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe.push(
      this.changes.onCommitted((serverIds) => {
        if (this.options.crossReplica) this.channel.notify(serverIds);
        for (const id of serverIds) this.wake(id);
      }),
    );
    // The admin's request may land on any replica, an API-only one too: every reconciling replica hears it.
    this.unsubscribe.push(
      this.requests.onRequest((serverId) => {
        if (this.options.crossReplica) this.channel.notify([serverId], { now: true });
        this.wake(serverId, { now: true });
      }),
    );
    if (!this.options.enabled) return;
    if (this.options.crossReplica) await this.channel.listen();
    this.periodicTimer = setInterval(() => void this.runPeriodicPass(), this.options.intervalMs);
    this.periodicTimer.unref();
    // After a restart every server is reconciled; not awaited, so the app starts serving at once.
    void this.runPeriodicPass(true);
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    if (this.periodicTimer) clearInterval(this.periodicTimer);
    this.periodicTimer = null;
    for (const run of this.runs.values()) {
      if (run.retryTimer) clearTimeout(run.retryTimer);
      run.retryTimer = null;
    }
    // Queued and waiting pushes give up; running ones finish and release their locks.
    for (const start of this.pushQueue.splice(0)) start();
    for (const wakeUp of [...this.sleepers]) wakeUp();
    await this.periodicPass;
    await Promise.all([...this.runs.values()].map((run) => run.running));
    await this.channel.close();
    // The lock session closes after every module's destroy hook (SyncLocks), the remover's too.
  }

  /**
   * Asks for the server to be pushed. Cheap and synchronous: while a push of it runs, this only
   * marks it dirty. A server waiting out a failure's backoff keeps waiting unless `now` is set
   * (the admin's explicit request), so a burst of writes to a dead node does not defeat the backoff.
   */
  wake(serverId: number, options: { now?: boolean; onlyIfBehind?: boolean } = {}): void {
    if (!this.options.enabled || this.closing) return;
    if (this.options.scope && !this.options.scope(serverId)) return;
    const run = this.runOf(serverId);
    if (!options.onlyIfBehind) run.force = true;
    if (run.running) {
      run.dirty = true;
      if (options.now) run.nowRequested = true;
      return;
    }
    if (run.retryTimer) {
      if (!options.now) return;
      clearTimeout(run.retryTimer);
      run.retryTimer = null;
    }
    this.start(serverId, run);
  }

  /**
   * Wakes every server that is behind, or has not been applied for `intervalMs` (a periodic
   * apply repairs drift: apply is idempotent). `all` wakes every server (the start).
   */
  async reconcileAll(all = false): Promise<number> {
    const ids = await this.records.due(all, this.options.intervalMs);
    for (const id of ids) this.wake(id);
    return ids.length;
  }

  /** Resolves when no push is running or queued in this process (for tests and shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.runs.values()].flatMap((run) => (run.running ? [run.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  private runOf(serverId: number): ServerRun {
    let run = this.runs.get(serverId);
    if (!run) this.runs.set(serverId, (run = { running: null, dirty: false, force: false, nowRequested: false, failures: 0, retryTimer: null, lastPushAt: 0, gapMs: this.options.minPushGapMs, gapBoundPushes: 0 }));
    return run;
  }

  private start(serverId: number, run: ServerRun): void {
    run.running = this.outsideRequests(() => this.loop(serverId, run))
      .catch((error: unknown) => this.logger.error({ msg: 'reconcile loop failed', serverId, err: error }))
      .finally(() => {
        run.running = null;
      });
  }

  private async loop(serverId: number, run: ServerRun): Promise<void> {
    do {
      this.adaptGap(run);
      const wait = run.lastPushAt + run.gapMs - Date.now();
      if (wait > 0) await this.sleep(wait);
      if (this.closing) return;
      run.dirty = false;
      run.nowRequested = false;
      run.lastPushAt = Date.now();
      const force = run.force;
      run.force = false;
      const outcome = await this.withPushSlot(() => this.pushOnce(serverId, !force));
      if (outcome === 'failed') {
        run.failures += 1;
        // The request came while this push was failing (the node may be back now): it is answered by a push, not the backoff.
        if (run.nowRequested) continue;
        this.scheduleRetry(serverId, run, backoffDelay(run.failures, this.options.backoff), false);
        return;
      }
      if (outcome === 'busy') {
        // Another replica pushes it; it re-reads when done, but check later in case our change landed after its read.
        this.scheduleRetry(serverId, run, this.options.busyRetryMs, true);
        return;
      }
      run.failures = 0;
      if (outcome === 'gone') {
        this.runs.delete(serverId);
        // Deleted: its interface may still be on the node.
        if (!this.closing) void this.remover.request();
        return;
      }
    } while (run.dirty && !this.closing);
  }

  /**
   * Changes that keep arriving within the gap of the last push mean a burst: from the third such
   * push on, the gap doubles (up to maxPushGapMs). A few quick changes in a row (a user, then its
   * forward) keep the minimum gap, and twice the gap of quiet starts over at minPushGapMs.
   */
  private adaptGap(run: ServerRun): void {
    const sinceLastPush = Date.now() - run.lastPushAt;
    if (sinceLastPush < run.gapMs) {
      run.gapBoundPushes += 1;
      if (run.gapBoundPushes > BURST_AFTER_GAP_BOUND_PUSHES) run.gapMs = Math.min(run.gapMs * 2, this.options.maxPushGapMs);
    } else if (sinceLastPush > 2 * run.gapMs) {
      run.gapBoundPushes = 0;
      run.gapMs = this.options.minPushGapMs;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private scheduleRetry(serverId: number, run: ServerRun, delayMs: number, onlyIfBehind: boolean): void {
    if (this.closing) return;
    if (run.retryTimer) clearTimeout(run.retryTimer);
    if (!onlyIfBehind) run.force = true;
    run.retryTimer = setTimeout(() => {
      run.retryTimer = null;
      if (this.closing) return;
      if (run.running) {
        run.dirty = true;
        return;
      }
      this.start(serverId, run);
    }, delayMs);
    run.retryTimer.unref();
  }

  private async withPushSlot<T>(work: () => Promise<T>): Promise<T | 'gone'> {
    if (this.activePushes < this.options.maxConcurrentPushes) this.activePushes += 1;
    // Otherwise wait: a finishing push hands its slot over directly, so the count never overshoots.
    else await new Promise<void>((resolve) => this.pushQueue.push(resolve));
    try {
      return this.closing ? 'gone' : await work();
    } finally {
      const next = this.pushQueue.shift();
      if (next) next();
      else this.activePushes -= 1;
    }
  }

  private async pushOnce(serverId: number, onlyIfBehind: boolean): Promise<PushOutcome> {
    const serverLock: SyncLock = { kind: 'server', serverId };
    let locked: boolean;
    try {
      locked = await this.locks.tryAcquire(serverLock);
    } catch (error) {
      this.logger.warn({ msg: 'could not take the reconcile lock', serverId, err: error });
      this.report(serverId, false, 0, 'lock_unavailable');
      return 'failed';
    }
    if (!locked) return 'busy';
    try {
      let snapshot: DesiredSnapshot | null;
      try {
        snapshot = await this.reader.read(serverId);
      } catch (error) {
        this.report(serverId, false, 0, 'desired_state_unreadable');
        return await this.recordReadFailure(serverId, error);
      }
      if (!snapshot) return 'gone';
      if (onlyIfBehind && snapshot.generation <= snapshot.appliedGeneration) return 'up_to_date';
      return await this.pushUnderInterfaceLocks(snapshot);
    } catch (error) {
      // Recording the outcome failed (the database went away): retry with backoff.
      this.logger.error({ msg: 'reconcile bookkeeping failed', serverId, err: error });
      this.report(serverId, false, 0, 'bookkeeping');
      return 'failed';
    } finally {
      await this.locks.release(serverLock);
    }
  }

  /**
   * The push proper, holding the lock of every interface it touches on the node (its own, and a
   * renamed server's old ones): the interface remover takes the same lock, so it never removes an
   * interface while a push brings it up. Busy when one of them is held (a removal in progress).
   */
  private async pushUnderInterfaceLocks(read: DesiredSnapshot): Promise<PushOutcome> {
    const nodeId = read.target.nodeId;
    const interfaceLocks: SyncLock[] = [read.desired.interfaceName, ...read.removals.map((removal) => removal.interfaceName)].map((interfaceName) => ({
      kind: 'interface',
      nodeId,
      interfaceName,
    }));
    if (!(await this.locks.tryAcquireAll(interfaceLocks))) return 'busy';
    try {
      // Under the locks, the old interfaces still to go: one a new server took over since the read
      // (its create cancelled the removal) is that server's now, and its push waits for ours.
      if (read.removals.length === 0) return await this.pushSnapshot(read);
      const pending = new Set((await this.removals.pendingOf(this.dataSource.manager, read.serverId)).map((removal) => removal.id));
      return await this.pushSnapshot({ ...read, removals: read.removals.filter((removal) => pending.has(removal.id)) });
    } finally {
      await this.locks.releaseAll(interfaceLocks);
    }
  }

  private async pushSnapshot(snapshot: DesiredSnapshot): Promise<PushOutcome> {
    const serverId = snapshot.serverId;
    const startedAt = performance.now();
    // The info line comes when the push ends (one per push, with its outcome and duration).
    const push = { serverId, node: snapshot.target.name, generation: snapshot.generation, peers: snapshot.userIds.length, enabled: snapshot.enabled };
    this.logger.debug({ msg: snapshot.enabled ? 'apply start' : 'switched off: removing the interface', ...push });
    try {
      // A renamed server's old interface first: the new one takes over its listen port.
      for (const removal of snapshot.removals) await this.driver.remove(snapshot.target, removal.interfaceName);
      // Switched off: the interface leaves the node (remove is idempotent); switched on again, apply recreates it.
      if (snapshot.enabled) await this.driver.apply(snapshot.target, snapshot.desired);
      else await this.driver.remove(snapshot.target, snapshot.desired.interfaceName);
    } catch (error) {
      const failure = classify(error);
      const elapsedMs = performance.now() - startedAt;
      this.logger.warn({ msg: 'apply failed', ...push, outcome: 'failed', durationMs: Math.round(elapsedMs), reason: failure.message });
      this.report(serverId, true, elapsedMs / 1000, failure.reason);
      if (failure.nodeReachable === null) this.logger.error({ msg: 'unexpected apply error', serverId, err: error });
      await this.recordFailure(snapshot, failure);
      return 'failed';
    }
    const elapsedMs = performance.now() - startedAt;
    this.logger.log({ msg: 'apply done', ...push, outcome: 'applied', durationMs: Math.round(elapsedMs) });
    this.report(serverId, true, elapsedMs / 1000);
    for (const removal of snapshot.removals) await this.removals.complete(removal.id);
    await this.recordSuccess(snapshot);
    return 'applied';
  }

  /** Tells the observer (metrics) about one attempt; a failed attempt names its reason. */
  private report(serverId: number, contacted: boolean, seconds: number, reason?: PushFailureReason): void {
    this.observer?.pushed({ serverId, contacted, outcome: reason ? 'failed' : 'applied', seconds, reason });
  }

  private async recordSuccess(snapshot: DesiredSnapshot): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // The node's row before the server's: the servers module's writers lock in that order
      // (node, then server), and the opposite order here deadlocked with a rename.
      await this.records.recordNodeHealth(manager, snapshot.target.nodeId, true, null);
      await this.records.recordApplied(manager, snapshot.serverId, snapshot.generation);
      // A switched-off server's users are not on the node: they keep the state they had.
      if (snapshot.enabled) {
        await this.peers.markProvisioned(manager, snapshot.serverId, snapshot.userIds, { state: 'active' });
        await this.forwards.markProvisioned(manager, snapshot.serverId, snapshot.forwardIds, { state: 'active' });
      }
      // Drops this process's cached sync states; no server id, so it wakes nothing.
      this.changes.mark(manager);
    });
  }

  private async recordFailure(snapshot: DesiredSnapshot, failure: FailureKind): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Node first, then server: the lock order of the servers module's writers (see recordSuccess).
      if (failure.nodeReachable !== null) {
        await this.records.recordNodeHealth(manager, snapshot.target.nodeId, failure.nodeReachable, failure.nodeReachable ? null : failure.message);
      }
      await this.records.recordError(manager, snapshot.serverId, failure.message);
      if (failure.refusesPeers) {
        const outcome = { state: 'error', reason: failure.message, onlyPending: false } as const;
        await this.peers.markProvisioned(manager, snapshot.serverId, snapshot.userIds, outcome);
        await this.forwards.markProvisioned(manager, snapshot.serverId, snapshot.forwardIds, outcome);
      }
      this.changes.mark(manager);
    });
  }

  /** The desired state could not be read or rendered: nothing was pushed; the server shows why. */
  private async recordReadFailure(serverId: number, error: unknown): Promise<PushOutcome> {
    const message =
      error instanceof WireguardInputError
        ? `the desired state could not be rendered: ${error.message}`
        : 'internal error while reading the desired state; see the control plane logs';
    this.logger.error({ msg: 'reading the desired state failed', serverId, err: error });
    await this.records.recordError(null, serverId, message);
    return 'failed';
  }

  private async runPeriodicPass(all = false): Promise<void> {
    if (this.periodicPass || this.closing) return;
    this.periodicPass = this.reconcileAll(all)
      .then(() => this.remover.request())
      .catch((error: unknown) => this.logger.warn({ msg: 'periodic reconcile pass failed', err: error }))
      .finally(() => {
        this.periodicPass = null;
      });
    await this.periodicPass;
  }
}

function classify(error: unknown): FailureKind {
  if (error instanceof NodeUnreachableError) return { message: `node unreachable: ${error.message}`, refusesPeers: false, nodeReachable: false, reason: 'node_unreachable' };
  if (error instanceof HostKeyMismatchError) {
    return { message: `host key mismatch: ${error.message}`, refusesPeers: true, nodeReachable: false, reason: 'host_key_mismatch' };
  }
  if (error instanceof NodeCommandError || error instanceof InterfaceMissingError) {
    return { message: error.message, refusesPeers: true, nodeReachable: true, reason: 'node_refused' };
  }
  return { message: 'internal error while pushing to the node; see the control plane logs', refusesPeers: false, nodeReachable: null, reason: 'internal' };
}
