import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, MoreThan, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { AppError, pageOf, SecretBox, type Page, type Principal } from '@wgfleet/core';
import { isForeignKeyViolation, isUniqueViolation } from '@wgfleet/database';
import { canonicalHost, canonicalIp, parseHostKeyLine } from './fleet-validation.js';
import { NodeEntity } from './node.entity.js';
import type { CreateNodeDto } from './nodes.dto.js';

/** The associated data of a node's sealed SSH key: moving the ciphertext to another node breaks it. */
export const nodeKeyContext = (name: string) => `node.ssh_private_key:${name}`;

/** The admin's nodes: the hosts that run WireGuard servers. */
@Injectable()
export class NodesService {
  constructor(
    @InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, input: CreateNodeDto): Promise<NodeEntity> {
    const ssh = input.ssh ?? null;
    if (input.transport === 'ssh' && ssh === null) {
      throw new AppError('validation_failed', 'a node with transport "ssh" needs ssh {host, port, username, private_key, host_key}', [
        { field: 'ssh', message: 'is required when transport is "ssh"' },
      ]);
    }
    if (input.transport === 'local' && ssh !== null) {
      throw new AppError('validation_failed', 'a node with transport "local" takes no ssh settings; remove ssh', [
        { field: 'ssh', message: 'must be absent when transport is "local"' },
      ]);
    }
    const entity = this.nodes.create({
      name: input.name,
      transport: input.transport,
      publicIpv4: canonicalIp(input.public_ipv4, 4)!,
      publicIpv6: input.public_ipv6 == null ? null : canonicalIp(input.public_ipv6, 6)!,
      sshHost: ssh ? canonicalHost(ssh.host)! : null,
      sshPort: ssh ? (ssh.port ?? 22) : null,
      sshUsername: ssh ? ssh.username : null,
      sshPrivateKeyEnc: ssh ? this.box.seal(ssh.private_key, nodeKeyContext(input.name)) : null,
      sshHostKey: ssh ? (parseHostKeyLine(ssh.host_key) as { line: string }).line : null,
      reachable: null,
      lastError: null,
      lastContactAt: null,
    });
    try {
      return await this.dataSource.transaction(async (manager) => {
        const node = await manager.save(entity);
        await this.audit.record(
          principal,
          { action: 'node.create', targetType: 'node', targetId: node.id, details: { name: node.name, transport: node.transport } },
          manager,
        );
        return node;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'node_name_key')) {
        throw new AppError('duplicate_name', `a node named "${input.name}" already exists; choose another name`, [
          { field: 'name', message: 'is already taken by another node' },
        ]);
      }
      throw error;
    }
  }

  /** The node, or 404. */
  async get(id: number): Promise<NodeEntity> {
    const node = await this.nodes.findOneBy({ id });
    if (!node) throw new AppError('not_found', `node ${id} does not exist`);
    return node;
  }

  /** The node of that name, or null. */
  findByName(name: string): Promise<NodeEntity | null> {
    return this.nodes.findOneBy({ name });
  }

  async list(page: Page): Promise<{ items: NodeEntity[]; nextCursor: string | null }> {
    const rows = await this.nodes.find({ where: { id: MoreThan(page.afterId) }, order: { id: 'ASC' }, take: page.limit + 1 });
    return pageOf(rows, page);
  }

  /** Servers per node, for the `servers_count` of each. */
  async countServers(nodeIds: number[]): Promise<Map<number, number>> {
    const counts = new Map<number, number>(nodeIds.map((id) => [id, 0]));
    if (nodeIds.length === 0) return counts;
    const rows: { node_id: string; count: number }[] = await this.dataSource.query(
      'SELECT node_id, count(*)::int AS count FROM server WHERE node_id = ANY($1::bigint[]) GROUP BY node_id',
      [nodeIds],
    );
    for (const row of rows) counts.set(Number(row.node_id), row.count);
    return counts;
  }

  /** Deletes a node without servers; 409 `in_use` while it has some. */
  async delete(principal: Principal, id: number): Promise<void> {
    const inUse = (count: number | null) =>
      new AppError('in_use', `node ${id} still has ${count === null ? '' : `${count} `}server(s); delete its servers first`);
    try {
      await this.dataSource.transaction(async (manager) => {
        // The row lock makes a concurrent server create on this node wait for us (it locks the node too).
        const node = await manager.findOne(NodeEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!node) throw new AppError('not_found', `node ${id} does not exist`);
        const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM server WHERE node_id = $1', [id]);
        if (count > 0) throw inUse(count);
        await manager.delete(NodeEntity, { id });
        await this.audit.record(principal, { action: 'node.delete', targetType: 'node', targetId: id, details: { name: node.name } }, manager);
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw inUse(null);
      throw error;
    }
  }
}
