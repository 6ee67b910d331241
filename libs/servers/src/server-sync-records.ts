import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NodeEntity } from './node.entity.js';
import { ServerEntity } from './server.entity.js';

/** A server as a push needs it, with its node; both with their sealed secrets. */
export interface ServerForPush {
  server: ServerEntity;
  node: NodeEntity;
}

/**
 * What the reconciler and the status poller read and record about servers and nodes: the rows with
 * their sealed keys (opened by the caller), which servers are due, and the outcome of a push
 * (applied generation, last error, node health). The servers module owns these tables; this is
 * the door the convergence side goes through.
 */
@Injectable()
export class ServerSyncRecords {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** In the caller's (snapshot) transaction; null when the server no longer exists. */
  async forPush(manager: EntityManager, serverId: number): Promise<ServerForPush | null> {
    const server = await manager.createQueryBuilder(ServerEntity, 's').addSelect('s.privateKeyEnc').where('s.id = :id', { id: serverId }).getOne();
    if (!server) return null;
    const node = await manager.createQueryBuilder(NodeEntity, 'n').addSelect('n.sshPrivateKeyEnc').where('n.id = :id', { id: server.nodeId }).getOneOrFail();
    return { server, node };
  }

  /** The node with its sealed SSH key, or null when it no longer exists. */
  async nodeWithKey(nodeId: number): Promise<NodeEntity | null> {
    return this.nodesWithKeys([nodeId]).then((nodes) => nodes[0] ?? null);
  }

  async nodesWithKeys(nodeIds: number[]): Promise<NodeEntity[]> {
    if (nodeIds.length === 0) return [];
    return this.dataSource.getRepository(NodeEntity).createQueryBuilder('n').addSelect('n.sshPrivateKeyEnc').where('n.id IN (:...ids)', { ids: nodeIds }).getMany();
  }

  /** Every server's interface and node, by id: what the status poller walks. */
  async interfaces(): Promise<Array<{ id: number; interface: string; nodeId: number }>> {
    return this.dataSource.getRepository(ServerEntity).find({ select: { id: true, interface: true, nodeId: true }, order: { id: 'ASC' } });
  }

  /** Servers behind, never applied, or not applied for `staleAfterMs` (all of them when `all`). */
  async due(all: boolean, staleAfterMs: number): Promise<number[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM server
        WHERE $1 OR applied_generation < desired_generation OR last_applied_at IS NULL
           OR last_applied_at < now() - make_interval(secs => $2)
        ORDER BY id`,
      [all, staleAfterMs / 1000],
    );
    return rows.map((row) => Number(row.id));
  }

  /** Each server's generations not yet on its node (desired − applied), in one query: a metrics gauge. */
  async generationsBehind(): Promise<Array<{ serverId: number; behind: number }>> {
    const rows: Array<{ id: string; behind: string }> = await this.dataSource.query(
      'SELECT id, greatest(desired_generation - applied_generation, 0) AS behind FROM server ORDER BY id',
    );
    return rows.map((row) => ({ serverId: Number(row.id), behind: Number(row.behind) }));
  }

  /** Each node's reachability as the last push found it (null: never contacted yet), in one query: a metrics gauge. */
  async nodeReachability(): Promise<Array<{ nodeId: number; name: string; reachable: boolean | null }>> {
    const rows: Array<{ id: string; name: string; reachable: boolean | null }> = await this.dataSource.query('SELECT id, name, reachable FROM node ORDER BY id');
    return rows.map((row) => ({ nodeId: Number(row.id), name: row.name, reachable: row.reachable }));
  }

  /** The node holds `generation` (a later push may already have recorded more). */
  async recordApplied(manager: EntityManager, serverId: number, generation: number): Promise<void> {
    await manager.query(
      `UPDATE server SET applied_generation = GREATEST(applied_generation, $2), last_error = NULL, last_applied_at = now()
        WHERE id = $1`,
      [serverId, generation],
    );
  }

  /** Why the last push did not happen or failed; `message` is safe to show. */
  async recordError(manager: EntityManager | null, serverId: number, message: string): Promise<void> {
    await (manager ?? this.dataSource).query('UPDATE server SET last_error = $2 WHERE id = $1', [serverId, message]);
  }

  async recordNodeHealth(manager: EntityManager, nodeId: number, reachable: boolean, lastError: string | null): Promise<void> {
    await manager.query(
      `UPDATE node SET reachable = $2, last_error = $3, last_contact_at = CASE WHEN $2 THEN now() ELSE last_contact_at END
        WHERE id = $1`,
      [nodeId, reachable, lastError],
    );
  }
}
