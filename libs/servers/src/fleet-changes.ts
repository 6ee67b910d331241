import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

export type FleetChangeListener = () => void;
/** Called once per committed transaction with the servers whose desired state it changed. */
export type FleetCommitListener = (serverIds: number[]) => void;

/**
 * Tells this process's caches that the fleet changed (servers, assignments, users on them): once
 * inside the writing transaction and once more after it commits, so that a read which raced the
 * commit and cached the old state is dropped too. Other replicas rely on their caches' short TTL.
 */
@Injectable()
export class FleetChanges implements EntitySubscriberInterface {
  private readonly listeners = new Set<FleetChangeListener>();
  private readonly committedListeners = new Set<FleetCommitListener>();
  // The servers each open transaction has changed: the reconciler is woken for them after COMMIT.
  private readonly uncommitted = new WeakMap<QueryRunner, Set<number>>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Call inside the write's transaction; `serverId` when the write changes that server's desired state. */
  mark(manager: EntityManager, serverId?: number): void {
    const runner = manager.queryRunner;
    if (runner) {
      let servers = this.uncommitted.get(runner);
      if (!servers) this.uncommitted.set(runner, (servers = new Set()));
      if (serverId !== undefined) servers.add(serverId);
    } else if (serverId !== undefined) {
      // Not in a transaction: the statement that follows commits on its own.
      setImmediate(() => this.emitCommitted([serverId]));
    }
    this.emit();
  }

  /** Subscribes to commits that changed servers' desired state; returns the function that unsubscribes. */
  onCommitted(listener: FleetCommitListener): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  onChange(listener: FleetChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const servers = this.uncommitted.get(event.queryRunner);
    if (!servers) return;
    this.emit();
    // A released savepoint is not a commit: keep collecting until the outer transaction ends.
    if (event.queryRunner.isTransactionActive) return;
    this.uncommitted.delete(event.queryRunner);
    if (servers.size > 0) this.emitCommitted([...servers]);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.uncommitted.delete(event.queryRunner);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private emitCommitted(serverIds: number[]): void {
    for (const listener of [...this.committedListeners]) {
      try {
        listener(serverIds);
      } catch {
        // A listener's failure must not fail the caller's already committed write.
      }
    }
  }
}
