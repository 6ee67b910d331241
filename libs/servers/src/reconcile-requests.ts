import { Injectable, Logger } from '@nestjs/common';

export type ReconcileListener = (serverId: number) => void;

/**
 * In-process requests to converge a server now (the admin's "reconcile" button). The
 * reconciler subscribes with `onRequest`; the admin API calls `request` after its commit.
 */
@Injectable()
export class ReconcileRequests {
  private readonly logger = new Logger(ReconcileRequests.name);
  private readonly listeners = new Set<ReconcileListener>();

  /** Subscribes; returns the function that unsubscribes. */
  onRequest(listener: ReconcileListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Tells every listener; a listener that throws does not stop the others or the caller. */
  request(serverId: number): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(serverId);
      } catch (error) {
        this.logger.error({ msg: 'reconcile listener failed', serverId, err: error });
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
