import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, MoreThan, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { isUniqueViolation, markProvisioned, type ProvisioningOutcome } from '@wgfleet/database';
import { AppError, pageOf, type Page, type Principal } from '@wgfleet/core';
import { PeersService, UserEntity, type TenantUser } from '@wgfleet/peers';
import { FleetAccess, NodeEntity, ServerEntity } from '@wgfleet/servers';
import { PortClaimEntity, PortForwardEntity, type ForwardProtocol } from './port-forward.entity.js';

export interface CreatePortForwardInput {
  externalPort?: number;
  internalPort?: number;
  protocol: ForwardProtocol;
  comment: string;
}

const CLAIMS: Record<ForwardProtocol, Array<'tcp' | 'udp'>> = { tcp: ['tcp'], udp: ['udp'], both: ['tcp', 'udp'] };
const SSH_DEFAULT_PORT = 22;
/** A picked port can be taken by a writer on another server of the same node; pick again this often. */
const AUTO_PICK_ATTEMPTS = 3;

/** Raised inside the transaction when a claim collides, so the caller can look at the holder after rollback. */
class PortTaken extends Error {
  constructor(readonly port: number, readonly protocols: Array<'tcp' | 'udp'>, readonly publicIp: string) {
    super('port taken');
  }
}

/**
 * Port forwards: a port of the node's public IPv4 DNAT'ed to a user's tunnel address. A port is
 * unique per (public address, tcp|udp) across every server of the node; `port_claim`'s primary
 * key enforces it under any concurrency.
 */
@Injectable()
export class PortForwardsService {
  constructor(
    @InjectRepository(PortForwardEntity) private readonly forwards: Repository<PortForwardEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly peers: PeersService,
    private readonly access: FleetAccess,
    private readonly audit: AuditService,
  ) {}

  async listForUser(principal: Principal, userId: number, page: Page) {
    const { user } = await this.peers.resolveUser(principal, userId);
    const rows = await this.forwards.find({
      where: { userId: user.id, id: MoreThan(page.afterId) },
      order: { id: 'ASC' },
      take: page.limit + 1,
    });
    return pageOf(rows, page);
  }

  async create(principal: Principal, userId: number, input: CreatePortForwardInput): Promise<PortForwardEntity> {
    const { user, context } = await this.peers.resolveUser(principal, userId);
    const attempts = input.externalPort === undefined ? AUTO_PICK_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) => this.createInTransaction(manager, principal, user, context.server.id, input));
      } catch (error) {
        if (!(error instanceof PortTaken)) throw error;
        if (attempt < attempts) continue;
        throw await this.portInUse(principal, error);
      }
    }
  }

  private async createInTransaction(
    manager: EntityManager,
    principal: Principal,
    user: TenantUser,
    serverId: number,
    input: CreatePortForwardInput,
  ): Promise<PortForwardEntity> {
    // First: locks the server, so quota counts and port choices of its writers happen one at a time.
    await this.access.bumpGeneration(manager, serverId);
    const current = await manager.findOneBy(UserEntity, { id: user.id });
    if (!current) throw new AppError('not_found', `user ${user.id} does not exist`);
    const server = await manager.findOneByOrFail(ServerEntity, { id: serverId });
    const node = await manager.findOneByOrFail(NodeEntity, { id: server.nodeId });
    const protocols = CLAIMS[input.protocol];
    const reserved = await this.reservedPorts(manager, server, node);

    if (input.externalPort !== undefined) this.checkPort(input.externalPort, server, reserved);

    const assignment = await manager.query(
      'SELECT max_port_forwards FROM assignment WHERE id = $1',
      [user.assignmentId],
    ) as Array<{ max_port_forwards: number | null }>;
    const max = assignment[0]?.max_port_forwards ?? null;
    if (max !== null) {
      const used = await this.countForwards(manager, user.assignmentId);
      const delegated = (await this.access.delegatedQuota(manager, user.assignmentId)).portForwards;
      if (used + delegated >= max) {
        throw new AppError(
          'quota_exceeded',
          delegated > 0
            ? `this server allows ${max} port forwards (${delegated} of them delegated to customers) and all are used; delete one first`
            : `this server allows ${max} port forwards and all are used; delete one first`,
        );
      }
    }

    const publicIp = node.publicIpv4;
    let externalPort = input.externalPort;
    if (externalPort === undefined) {
      externalPort = await this.lowestFreePort(manager, publicIp, protocols, server, reserved);
    } else {
      const [taken] = (await manager.query(
        'SELECT 1 FROM port_claim WHERE public_ip = $1 AND protocol = ANY($2) AND port = $3 LIMIT 1',
        [publicIp, protocols, externalPort],
      )) as unknown[];
      if (taken) throw new PortTaken(externalPort, protocols, publicIp);
    }

    const forward = await manager.save(
      manager.create(PortForwardEntity, {
        userId: current.id,
        assignmentId: user.assignmentId,
        serverId,
        publicIp,
        externalPort,
        internalPort: input.internalPort ?? externalPort,
        protocol: input.protocol,
        comment: input.comment,
        state: 'pending',
        stateError: null,
      }),
    );
    try {
      // A writer on another server of the node is not serialised by our server lock: the
      // primary key settles who gets the port.
      await manager.insert(
        PortClaimEntity,
        protocols.map((protocol) => ({ nodeId: node.id, publicIp, protocol, port: externalPort, portForwardId: forward.id })),
      );
    } catch (error) {
      if (isUniqueViolation(error, 'port_claim_pkey')) throw new PortTaken(externalPort, protocols, publicIp);
      throw error;
    }
    await this.audit.record(
      principal,
      {
        action: 'port_forward.create',
        targetType: 'port_forward',
        targetId: forward.id,
        details: { user_id: current.id, assignment_id: user.assignmentId, external_port: externalPort, protocol: input.protocol },
      },
      manager,
    );
    return manager.findOneByOrFail(PortForwardEntity, { id: forward.id });
  }

  async delete(principal: Principal, id: number): Promise<void> {
    const forward = await this.forwards.findOneBy({ id });
    if (!forward) throw new AppError('not_found', `port forward ${id} does not exist`);
    await this.access.resolveAssignmentOf(principal, forward.assignmentId, `port forward ${id}`);
    await this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, forward.serverId);
      // Its claims go with it (ON DELETE CASCADE), which frees the port.
      const result = await manager.delete(PortForwardEntity, { id });
      if (!result.affected) throw new AppError('not_found', `port forward ${id} does not exist`);
      await this.audit.record(
        principal,
        {
          action: 'port_forward.delete',
          targetType: 'port_forward',
          targetId: id,
          details: { user_id: forward.userId, assignment_id: forward.assignmentId, external_port: forward.externalPort, protocol: forward.protocol },
        },
        manager,
      );
    });
  }

  /** Forwards held by one assignment (for quota checks; call inside the write's transaction). */
  async countForwards(manager: EntityManager, assignmentId: number): Promise<number> {
    return manager.getRepository(PortForwardEntity).countBy({ assignmentId });
  }

  /** The node's SSH port, every WireGuard listen port on the node, and the server's own list. */
  /**
   * The forwards the server's node must hold, for the reconciler: those whose user is pushed
   * (not of a suspended account), with the user's tunnel IPv4 as the target. Call inside the
   * reconciler's read-only snapshot transaction.
   */
  async desiredForwardsOf(manager: EntityManager, serverId: number): Promise<Array<{
    id: number; publicIp: string; externalPort: number; targetIp: string; internalPort: number; protocol: ForwardProtocol;
  }>> {
    const rows: Array<{ id: string; public_ip: string; external_port: number; target_ip: string; internal_port: number; protocol: ForwardProtocol }> =
      await manager.query(
        `SELECT f.id, host(f.public_ip) AS public_ip, f.external_port, host(u.ipv4) AS target_ip, f.internal_port, f.protocol
           FROM port_forward f
           JOIN wg_user u ON u.id = f.user_id
           JOIN assignment a ON a.id = u.assignment_id
           JOIN account acc ON acc.id = a.account_id
           LEFT JOIN account parent ON parent.id = acc.parent_id
          WHERE f.server_id = $1 AND acc.suspended_at IS NULL AND parent.suspended_at IS NULL
          ORDER BY f.id`,
        [serverId],
      );
    return rows.map((row) => ({
      id: Number(row.id),
      publicIp: row.public_ip,
      externalPort: row.external_port,
      targetIp: row.target_ip,
      internalPort: row.internal_port,
      protocol: row.protocol,
    }));
  }

  /** Same contract as PeersService.markProvisioned, for the forwards the reconciler pushed. */
  async markProvisioned(manager: EntityManager, serverId: number, forwardIds: number[], outcome: ProvisioningOutcome): Promise<void> {
    await markProvisioned(manager, 'port_forward', serverId, forwardIds, outcome);
  }

  private async reservedPorts(manager: EntityManager, server: ServerEntity, node: NodeEntity): Promise<Map<number, string>> {
    const reserved = new Map<number, string>();
    for (const port of server.reservedPorts) reserved.set(port, "is on this server's reserved list");
    const listening = (await manager.query('SELECT listen_port FROM server WHERE node_id = $1', [node.id])) as Array<{ listen_port: number }>;
    for (const { listen_port } of listening) reserved.set(listen_port, "is a WireGuard listen port on this server's node");
    reserved.set(node.sshPort ?? SSH_DEFAULT_PORT, "is the SSH port of this server's node");
    return reserved;
  }

  private checkPort(port: number, server: ServerEntity, reserved: Map<number, string>): void {
    if (port < server.forwardPortMin || port > server.forwardPortMax) {
      throw new AppError(
        'port_out_of_range',
        `external port ${port} is outside this server's forward range ${server.forwardPortMin}-${server.forwardPortMax}`,
        [{ field: 'external_port', message: `must be between ${server.forwardPortMin} and ${server.forwardPortMax}` }],
      );
    }
    const why = reserved.get(port);
    if (why) {
      throw new AppError('port_reserved', `external port ${port} ${why}; choose another port`, [
        { field: 'external_port', message: `${port} is reserved` },
      ]);
    }
  }

  private async lowestFreePort(
    manager: EntityManager,
    publicIp: string,
    protocols: Array<'tcp' | 'udp'>,
    server: ServerEntity,
    reserved: Map<number, string>,
  ): Promise<number> {
    const [row] = (await manager.query(
      `SELECT p AS port FROM generate_series($1::int, $2::int) AS p
        WHERE p <> ALL($3::int[])
          AND NOT EXISTS (SELECT 1 FROM port_claim c WHERE c.public_ip = $4 AND c.protocol = ANY($5) AND c.port = p)
        ORDER BY p LIMIT 1`,
      [server.forwardPortMin, server.forwardPortMax, [...reserved.keys()], publicIp, protocols],
    )) as Array<{ port: number }>;
    if (!row) {
      throw new AppError(
        'port_in_use',
        `every port of this server's forward range ${server.forwardPortMin}-${server.forwardPortMax} is taken for ${protocols.join('+')}; delete a forward or ask for a wider range`,
      );
    }
    return Number(row.port);
  }

  /** 409; names the holder only when the caller may act on it (never another tenant's). */
  private async portInUse(principal: Principal, taken: PortTaken): Promise<AppError> {
    const description = `${taken.port}/${taken.protocols.join('+')}`;
    const [holder] = (await this.dataSource.query(
      `SELECT f.id, a.account_id FROM port_claim c
         JOIN port_forward f ON f.id = c.port_forward_id JOIN assignment a ON a.id = f.assignment_id
        WHERE c.public_ip = $1 AND c.protocol = ANY($2) AND c.port = $3 ORDER BY f.id LIMIT 1`,
      [taken.publicIp, taken.protocols, taken.port],
    )) as Array<{ id: string; account_id: string }>;
    const own = holder !== undefined && (await this.access.mayActFor(principal, Number(holder.account_id)));
    const message = own
      ? `external port ${description} is already forwarded on this server's address by your port forward ${holder.id}`
      : `external port ${description} is already forwarded on this server's address; choose another port`;
    return new AppError(
      'port_in_use',
      message,
      [{ field: 'external_port', message: `${taken.port} is in use` }],
      own ? { conflicting_port_forward_id: Number(holder.id) } : undefined,
    );
  }
}
