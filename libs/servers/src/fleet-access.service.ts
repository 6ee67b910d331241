import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, MoreThan, type EntityManager, type Repository } from 'typeorm';
import { AppError, pageOf, type Page, type Principal } from '@wgfleet/core';
import { AssignmentEntity } from './assignment.entity.js';
import { FleetChanges } from './fleet-changes.js';
import { NodeEntity } from './node.entity.js';
import { ServerEntity } from './server.entity.js';

/** An assignment with the server and node it lends: what every customer route works on. */
export interface AssignmentContext {
  assignment: AssignmentEntity;
  server: ServerEntity;
  node: NodeEntity;
}

/**
 * Who may act on which assignment. The portal's rule: a missing one is 404, one that exists
 * but is not the caller's is 403. An account acts on its own assignments; a reseller also on
 * its customers'; the admin (ops) on all. Siblings never see each other.
 */
@Injectable()
export class FleetAccess {
  constructor(
    @InjectRepository(AssignmentEntity) private readonly assignments: Repository<AssignmentEntity>,
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly changes: FleetChanges,
  ) {}

  async resolveAssignment(principal: Principal, assignmentId: number): Promise<AssignmentContext> {
    return this.resolveAssignmentOf(principal, assignmentId, `server ${assignmentId}`);
  }

  /**
   * For a resource held by an assignment (a user, a port forward): its context; 404 when the
   * assignment is gone (deleted meanwhile), 403 naming the resource when the caller may not act on it.
   */
  async resolveAssignmentOf(principal: Principal, assignmentId: number, resource: string): Promise<AssignmentContext> {
    const assignment = await this.assignments.findOneBy({ id: assignmentId });
    if (!assignment) throw new AppError('not_found', `${resource} does not exist`);
    if (!(await this.mayActFor(principal, assignment.accountId))) {
      throw new AppError('forbidden', `${resource} belongs to another account`);
    }
    return this.contextOf(assignment);
  }

  /** True when the principal may act on resources owned by `accountId`. */
  async mayActFor(principal: Principal, accountId: number): Promise<boolean> {
    if (principal.kind === 'admin' || principal.accountId === accountId) return true;
    if (principal.kind !== 'reseller') return false;
    const [row] = await this.dataSource.query('SELECT parent_id FROM account WHERE id = $1', [accountId]);
    return row !== undefined && Number(row.parent_id) === principal.accountId;
  }

  /** The caller's own assignments, oldest first. */
  async listOwn(principal: Principal, page: Page): Promise<{ items: AssignmentContext[]; nextCursor: string | null }> {
    const rows = await this.assignments.find({
      where: { accountId: principal.accountId, id: MoreThan(page.afterId) },
      order: { id: 'ASC' },
      take: page.limit + 1,
    });
    const { items, nextCursor } = pageOf(rows, page);
    const servers = new Map((await this.servers.findBy({ id: In(items.map((a) => a.serverId)) })).map((s) => [s.id, s]));
    const nodes = new Map((await this.nodes.findBy({ id: In([...servers.values()].map((s) => s.nodeId)) })).map((n) => [n.id, n]));
    return {
      items: items.map((assignment) => {
        const server = servers.get(assignment.serverId)!;
        return { assignment, server, node: nodes.get(server.nodeId)! };
      }),
      nextCursor,
    };
  }

  async contextOf(assignment: AssignmentEntity): Promise<AssignmentContext> {
    const server = await this.servers.findOneByOrFail({ id: assignment.serverId });
    const node = await this.nodes.findOneByOrFail({ id: server.nodeId });
    return { assignment, server, node };
  }

  /**
   * Row locks on the servers, in id order, of the strength bumpGeneration's UPDATE takes, so they
   * serialise with every writer of those servers; for a caller that must decide under the lock
   * before it knows which servers it will bump.
   */
  async lockServers(manager: EntityManager, serverIds: number[]): Promise<void> {
    if (serverIds.length === 0) return;
    await manager.query('SELECT id FROM server WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE', [serverIds]);
  }

  /**
   * Marks the server's desired state as changed, inside the caller's transaction, so that the
   * reconciler sees every committed write. Also serialises writers on one server (row lock),
   * which makes address allocation and quota checks race-free.
   */
  async bumpGeneration(manager: EntityManager, serverId: number): Promise<number> {
    const [rows] = await manager.query(
      'UPDATE server SET desired_generation = desired_generation + 1 WHERE id = $1 RETURNING desired_generation',
      [serverId],
    );
    if (!rows?.[0]) throw new AppError('not_found', `server ${serverId} does not exist`);
    this.changes.mark(manager, serverId);
    return Number(rows[0].desired_generation);
  }

  /**
   * What an assignment has lent to its delegations (a reseller's customers): their `max_users`
   * and `max_port_forwards` summed. A delegation reserves its quota out of its parent's, so a
   * parent with `max_users` M, U users of its own and D delegated may hold U + D ≤ M.
   * Call inside the write's transaction, after `bumpGeneration` has locked the server.
   */
  async delegatedQuota(manager: EntityManager, assignmentId: number): Promise<{ users: number; portForwards: number }> {
    const [row] = await manager.query(
      `SELECT coalesce(sum(max_users), 0) AS users, coalesce(sum(max_port_forwards), 0) AS port_forwards
         FROM assignment WHERE parent_assignment_id = $1`,
      [assignmentId],
    );
    return { users: Number(row.users), portForwards: Number(row.port_forwards) };
  }

  /**
   * Bumps every server the accounts hold assignments on: their peers change with the accounts
   * (suspended, deleted). In server id order, so two callers touching the same servers lock them
   * in the same order and cannot deadlock.
   */
  async bumpGenerationsOfAccounts(manager: EntityManager, accountIds: number[]): Promise<void> {
    const servers = (await manager.query(
      'SELECT DISTINCT server_id FROM assignment WHERE account_id = ANY($1) ORDER BY server_id',
      [accountIds],
    )) as Array<{ server_id: string }>;
    for (const { server_id } of servers) await this.bumpGeneration(manager, Number(server_id));
  }
}
