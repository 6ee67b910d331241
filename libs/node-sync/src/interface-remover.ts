import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ServerRemovals, type PendingRemoval } from '@wgfleet/servers';
import { DesiredStateReader } from './desired-state.reader.js';
import { HostKeyMismatchError, NodeCommandError, NodeDriver, NodeUnreachableError } from './node-driver.js';
import { ReconcilerOptions } from './reconciler-options.js';
import { SyncLocks, type SyncLock } from './sync-locks.js';

/**
 * Takes deleted servers' interfaces off their nodes (ServerRemovals). Asked by the reconciler when
 * a server it was woken for is gone, and on every periodic pass, so a node that was down at the
 * delete is cleaned once it is back, by whichever replica gets there (removal is idempotent).
 *
 * A new server may take over a deleted one's interface on the same node (its create cancels the
 * removal) at any moment. So each removal holds the (node, interface) lock that every push of that
 * interface takes too, and checks under it that the removal still stands: a push never runs while
 * the interface is being removed, and an interface taken over is left to its new server.
 */
@Injectable()
export class InterfaceRemover implements OnModuleDestroy {
  private readonly logger = new Logger(InterfaceRemover.name);
  private running: Promise<void> | null = null;
  private again = false;
  private closing = false;

  constructor(
    private readonly removals: ServerRemovals,
    private readonly reader: DesiredStateReader,
    private readonly driver: NodeDriver,
    private readonly options: ReconcilerOptions,
    private readonly locks: SyncLocks,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.running;
  }

  /** Works off every pending removal in scope; a request during a pass adds one more pass. Never rejects. */
  request(): Promise<void> {
    if (!this.options.enabled || this.closing) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (error) {
        this.logger.warn({ msg: 'interface removal pass failed', err: error });
      }
    } while (this.again && !this.closing);
  }

  private async pass(): Promise<void> {
    const scope = this.options.scope;
    for (const removal of await this.removals.pending()) {
      if (this.closing) return;
      if (scope && !scope(removal.serverId)) continue;
      const lock: SyncLock = { kind: 'interface', nodeId: removal.nodeId, interfaceName: removal.interfaceName };
      // Held (a push of that interface, another replica's removal): the next pass looks again.
      if (!(await this.locks.tryAcquire(lock))) continue;
      try {
        await this.removeUnderLock(removal);
      } finally {
        await this.locks.release(lock);
      }
    }
  }

  private async removeUnderLock(removal: PendingRemoval): Promise<void> {
    try {
      // Read again under the lock: the list may predate a new server on this interface.
      const stillPending = (await this.removals.pendingOf(this.dataSource.manager, removal.serverId)).some((each) => each.id === removal.id);
      if (!stillPending) return;
      const target = await this.reader.targetOfNode(removal.nodeId);
      // No node row: it was deleted after the server, and its removals with it.
      if (target) await this.driver.remove(target, removal.interfaceName);
      await this.removals.complete(removal.id);
      this.logger.log({ msg: 'interface removed', serverId: removal.serverId, nodeId: removal.nodeId, interface: removal.interfaceName });
    } catch (error) {
      const message = safeMessage(error);
      this.logger.warn({ msg: 'interface removal failed', serverId: removal.serverId, nodeId: removal.nodeId, reason: message });
      await this.removals.fail(removal.id, message);
    }
  }
}

/** The drivers' messages are vetted for storage (no key material); anything else is ours to log, not to store. */
function safeMessage(error: unknown): string {
  const safe = error instanceof NodeUnreachableError || error instanceof HostKeyMismatchError || error instanceof NodeCommandError;
  return safe ? error.message : 'internal error while removing the interface; see the control plane logs';
}
