import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

export type FleetChangeListener = () => void;

/**
 * Tells this process's caches that the fleet changed (servers, assignments, users on them): once
 * inside the writing transaction and once more after it commits, so that a read which raced the
 * commit and cached the old state is dropped too. Other replicas rely on their caches' short TTL.
 */
@Injectable()
export class FleetChanges implements EntitySubscriberInterface {
  private readonly listeners = new Set<FleetChangeListener>();
  private readonly uncommitted = new WeakSet<QueryRunner>();

  constructor(@InjectDataSource() dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  /** Call inside the write's transaction. */
  mark(manager: EntityManager): void {
    if (manager.queryRunner) this.uncommitted.add(manager.queryRunner);
    this.emit();
  }

  onChange(listener: FleetChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (this.uncommitted.delete(event.queryRunner)) this.emit();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    this.uncommitted.delete(event.queryRunner);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
