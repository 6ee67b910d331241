import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

/** A deleted server whose interface is still to be taken off its node. */
export interface PendingRemoval {
  id: number;
  /** The deleted server's id: what a scoped reconciler decides by. */
  serverId: number;
  nodeId: number;
  interfaceName: string;
}

/**
 * The `server_removal` rows (see its migration): written by the server delete in its transaction,
 * worked off by the reconciler. A server created again on the same node and interface cancels the
 * removal, since its own push takes the interface over whole.
 */
@Injectable()
export class ServerRemovals {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, server: { id: number; nodeId: number; interface: string }): Promise<void> {
    await manager.query('INSERT INTO server_removal (server_id, node_id, interface) VALUES ($1, $2, $3)', [server.id, server.nodeId, server.interface]);
  }

  async cancel(manager: EntityManager, nodeId: number, interfaceName: string): Promise<void> {
    await manager.query('DELETE FROM server_removal WHERE node_id = $1 AND interface = $2', [nodeId, interfaceName]);
  }

  /** Oldest first; never one whose interface a current server uses again. */
  async pending(): Promise<PendingRemoval[]> {
    const rows: Array<{ id: string; server_id: string; node_id: string; interface: string }> = await this.dataSource.query(
      `SELECT r.id, r.server_id, r.node_id, r.interface FROM server_removal r
        WHERE NOT EXISTS (SELECT 1 FROM server s WHERE s.node_id = r.node_id AND s.interface = r.interface)
        ORDER BY r.id`,
    );
    return rows.map((row) => ({ id: Number(row.id), serverId: Number(row.server_id), nodeId: Number(row.node_id), interfaceName: row.interface }));
  }

  /**
   * The old interfaces of a server that still exists (a renamed one), in the caller's snapshot: its
   * push takes them off the node first, since the new interface takes over their listen port.
   */
  async pendingOf(manager: EntityManager, serverId: number): Promise<PendingRemoval[]> {
    const rows: Array<{ id: string; server_id: string; node_id: string; interface: string }> = await manager.query(
      `SELECT r.id, r.server_id, r.node_id, r.interface FROM server_removal r
        WHERE r.server_id = $1 AND NOT EXISTS (SELECT 1 FROM server s WHERE s.node_id = r.node_id AND s.interface = r.interface)
        ORDER BY r.id`,
      [serverId],
    );
    return rows.map((row) => ({ id: Number(row.id), serverId: Number(row.server_id), nodeId: Number(row.node_id), interfaceName: row.interface }));
  }

  async complete(id: number): Promise<void> {
    await this.dataSource.query('DELETE FROM server_removal WHERE id = $1', [id]);
  }

  async fail(id: number, message: string): Promise<void> {
    await this.dataSource.query('UPDATE server_removal SET last_error = $2 WHERE id = $1', [id, message]);
  }
}
