import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, MoreThan, type EntityManager, type FindOptionsWhere, type Repository } from 'typeorm';
import { AuditService, type AuditActor } from '@wgfleet/audit';
import { AppError, pageOf, SecretBox, type Page, type Principal } from '@wgfleet/core';
import { isForeignKeyViolation, isUniqueViolation, type InTransaction } from '@wgfleet/database';
import { generateKeyPair, publicKeyFromPrivate, serverAddress } from '@wgfleet/wireguard';
import { FleetAccess } from './fleet-access.service.js';
import { FleetChanges } from './fleet-changes.js';
import { canonicalHost, canonicalIp, canonicalSubnet, parsePortRange } from './fleet-validation.js';
import { NodeEntity } from './node.entity.js';
import { ReconcileRequests } from './reconcile-requests.js';
import { ServerEntity } from './server.entity.js';
import { ServerRemovals } from './server-removals.js';
import type { CreateServerDto, ServerPlacementDto } from './servers.dto.js';
import { syncStateOf, type SyncState } from './sync-state.js';

export interface ServerWithNode {
  server: ServerEntity;
  node: NodeEntity;
}

/** The same context as test/support/fleet-factory.ts and the reconciler use to open the key. */
export const serverKeyContext = (publicKey: string) => `server.private_key:${publicKey}`;

interface OtherServer {
  id: string;
  interface: string;
  listen_port: number;
  ipv4_subnet: string;
  ipv6_subnet: string | null;
  v4_overlaps: boolean;
  v6_overlaps: boolean;
}

type SettingsPatch = Partial<
  Pick<
    ServerEntity,
    'name' | 'location' | 'dns' | 'mtu' | 'endpointHost' | 'forwardPortMin' | 'forwardPortMax' | 'reservedPorts' | 'listenPort' | 'ipv4Subnet' | 'ipv6Subnet'
  >
>;

/**
 * Who changes the fleet: a portal principal, or a caller without an account (a WGDashboard key),
 * whose identity goes into the audit event's details.
 */
export type FleetActor = (Principal | AuditActor) & { auditDetails?: Record<string, unknown> };

export interface UpdateServerOptions {
  /** A new private key for the server (its public key follows). */
  privateKey?: string;
  /** Runs with the server's id in the write's transaction. */
  inTransaction?: InTransaction<number>;
}

export interface CreateServerOptions {
  /** The server's key instead of a new one (a WGDashboard configuration brings its own). */
  privateKey?: string;
  /** False: created switched off (WGDashboard starts a new configuration stopped). Default true. */
  enabled?: boolean;
  /** Runs with the server's id in the write's transaction. */
  inTransaction?: InTransaction<number>;
}

/** The address and port parts of a server on its node, as the conflict checks see them. */
interface NodePlacement {
  interface?: string;
  listenPort: number;
  ipv4Subnet: string;
  ipv6Subnet: string | null;
}

/**
 * The admin's WireGuard servers. Conflicts on a node (interface, listen port, overlapping
 * subnets) are checked under a row lock on the node, so two concurrent creates cannot both win.
 */
@Injectable()
export class ServersService {
  constructor(
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectRepository(NodeEntity) private readonly nodes: Repository<NodeEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly access: FleetAccess,
    private readonly reconcileRequests: ReconcileRequests,
    private readonly removals: ServerRemovals,
    private readonly changes: FleetChanges,
  ) {}

  async create(principal: FleetActor, nodeId: number, input: CreateServerDto, options: CreateServerOptions = {}): Promise<ServerWithNode> {
    const ipv4Subnet = canonicalSubnet(input.ipv4_subnet);
    const ipv6Subnet = input.ipv6_subnet == null ? null : canonicalSubnet(input.ipv6_subnet);
    const range = parsePortRange(input.port_forward_range ?? '1-65535')!;
    const keys = options.privateKey === undefined ? generateKeyPair() : { privateKey: options.privateKey, publicKey: publicKeyFromPrivate(options.privateKey) };
    try {
      const id = await this.dataSource.transaction(async (manager) => {
        const node = await manager.findOne(NodeEntity, { where: { id: nodeId }, lock: { mode: 'pessimistic_write' } });
        if (!node) throw new AppError('not_found', `node ${nodeId} does not exist`);
        await this.checkNodeConflicts(manager, nodeId, { interface: input.interface, listenPort: input.listen_port, ipv4Subnet, ipv6Subnet });
        // A deleted server's interface not yet removed from the node is this server's now.
        await this.removals.cancel(manager, nodeId, input.interface);
        const server = await manager.save(
          manager.create(ServerEntity, {
            nodeId,
            name: input.name,
            location: input.location,
            interface: input.interface,
            listenPort: input.listen_port,
            privateKeyEnc: this.box.seal(keys.privateKey, serverKeyContext(keys.publicKey)),
            publicKey: keys.publicKey,
            ipv4Subnet,
            ipv6Subnet,
            dns: canonicalDns(input.dns ?? []),
            mtu: input.mtu ?? null,
            endpointHost: input.endpoint_host == null ? null : canonicalHost(input.endpoint_host)!,
            forwardPortMin: range.min,
            forwardPortMax: range.max,
            reservedPorts: canonicalPorts(input.reserved_ports ?? []),
            enabled: options.enabled ?? true,
            desiredGeneration: 1,
            appliedGeneration: 0,
            lastError: null,
            lastAppliedAt: null,
          }),
        );
        // Wakes the reconciler after commit: the new interface goes up without waiting for a periodic pass.
        this.changes.mark(manager, server.id);
        await this.audit.record(
          principal,
          {
            action: 'server.create',
            targetType: 'server',
            targetId: server.id,
            details: { node_id: nodeId, name: input.name, interface: input.interface, listen_port: input.listen_port, ...principal.auditDetails },
          },
          manager,
        );
        await options.inTransaction?.(manager, server.id);
        return server.id;
      });
      return this.get(id);
    } catch (error) {
      // The node lock makes these unreachable in practice; the constraints are the last word.
      if (isUniqueViolation(error, 'server_node_interface_key')) throw interfaceTaken(nodeId, input.interface);
      if (isUniqueViolation(error, 'server_node_listen_port_key')) throw listenPortTaken(nodeId, input.listen_port);
      if (isForeignKeyViolation(error)) throw new AppError('not_found', `node ${nodeId} does not exist`);
      throw error;
    }
  }

  /** Interface, listen port and subnets against the node's other servers (all of them, or all but `exceptId`). */
  private async checkNodeConflicts(manager: EntityManager, nodeId: number, mine: NodePlacement, exceptId: number | null = null): Promise<void> {
    const { ipv4Subnet, ipv6Subnet } = mine;
    const others: OtherServer[] = await manager.query(
      `SELECT id, interface, listen_port, ipv4_subnet::text AS ipv4_subnet, ipv6_subnet::text AS ipv6_subnet,
              ipv4_subnet && $2::cidr AS v4_overlaps, coalesce(ipv6_subnet && $3::cidr, false) AS v6_overlaps
         FROM server WHERE node_id = $1 AND id IS DISTINCT FROM $4 ORDER BY id`,
      [nodeId, ipv4Subnet, ipv6Subnet, exceptId],
    );
    const sameInterface = mine.interface === undefined ? undefined : others.find((s) => s.interface === mine.interface);
    if (sameInterface) throw interfaceTaken(nodeId, mine.interface!, Number(sameInterface.id));
    const samePort = others.find((s) => s.listen_port === mine.listenPort);
    if (samePort) throw listenPortTaken(nodeId, mine.listenPort, Number(samePort.id));
    for (const other of others) {
      if (other.v4_overlaps) throw subnetTaken('ipv4_subnet', ipv4Subnet, other.ipv4_subnet, Number(other.id));
      if (other.v6_overlaps) throw subnetTaken('ipv6_subnet', ipv6Subnet!, other.ipv6_subnet!, Number(other.id));
    }
    // A forward of this UDP port on the node would swallow the tunnel's packets.
    const [claim] = await manager.query(`SELECT 1 FROM port_claim WHERE node_id = $1 AND protocol = 'udp' AND port = $2 LIMIT 1`, [
      nodeId,
      mine.listenPort,
    ]);
    if (claim) {
      throw new AppError('in_use', `UDP port ${mine.listenPort} is forwarded on node ${nodeId}; choose another listen_port`, [
        { field: 'listen_port', message: 'is forwarded to a client on this node' },
      ]);
    }
  }

  /** New subnets must still hold every user's address, and the server's own address must be nobody's. */
  private async checkUsersFit(manager: EntityManager, serverId: number, ipv4Subnet: string, ipv6Subnet: string | null): Promise<void> {
    const [row]: Array<{ v4_outside: number; v6_outside: number; v6_users: number; own_taken: number }> = await manager.query(
      `SELECT count(*) FILTER (WHERE NOT (ipv4 << $2::cidr))::int AS v4_outside,
              count(*) FILTER (WHERE ipv6 IS NOT NULL AND $3::cidr IS NOT NULL AND NOT (ipv6 << $3::cidr))::int AS v6_outside,
              count(*) FILTER (WHERE ipv6 IS NOT NULL)::int AS v6_users,
              count(*) FILTER (WHERE ipv4 = $4::inet OR ipv6 = $5::inet)::int AS own_taken
         FROM wg_user WHERE server_id = $1`,
      [serverId, ipv4Subnet, ipv6Subnet, serverAddress(ipv4Subnet), ipv6Subnet === null ? null : serverAddress(ipv6Subnet)],
    );
    const refuse = (field: string, message: string) => new AppError('in_use', message, [{ field, message }]);
    if (row!.v4_outside > 0) throw refuse('ipv4_subnet', `${row!.v4_outside} user address(es) of server ${serverId} lie outside ${ipv4Subnet}; keep a subnet that holds them`);
    if (ipv6Subnet === null && row!.v6_users > 0) throw refuse('ipv6_subnet', `${row!.v6_users} user(s) of server ${serverId} have IPv6 addresses; keep an IPv6 subnet`);
    if (row!.v6_outside > 0) throw refuse('ipv6_subnet', `${row!.v6_outside} user address(es) of server ${serverId} lie outside ${ipv6Subnet}; keep a subnet that holds them`);
    if (row!.own_taken > 0) throw refuse('ipv4_subnet', `the server's own address in the new subnet is a user's address on server ${serverId}`);
  }

  /** The server and its node, or 404. */
  async get(id: number): Promise<ServerWithNode> {
    const server = await this.servers.findOneBy({ id });
    if (!server) throw new AppError('not_found', `server ${id} does not exist`);
    return { server, node: await this.nodes.findOneByOrFail({ id: server.nodeId }) };
  }

  async list(page: Page, filter: { nodeId?: number } = {}): Promise<{ items: ServerWithNode[]; nextCursor: string | null }> {
    const where: FindOptionsWhere<ServerEntity> = { id: MoreThan(page.afterId) };
    if (filter.nodeId !== undefined) where.nodeId = filter.nodeId;
    const rows = await this.servers.find({ where, order: { id: 'ASC' }, take: page.limit + 1 });
    const { items, nextCursor } = pageOf(rows, page);
    const nodes = new Map((await this.nodes.findBy({ id: In([...new Set(items.map((s) => s.nodeId))]) })).map((n) => [n.id, n]));
    return { items: items.map((server) => ({ server, node: nodes.get(server.nodeId)! })), nextCursor };
  }

  /**
   * Every server on the node, by interface name, each with its private key opened: for the
   * WGDashboard API, whose configuration objects show it (upstream does; its clients expect it).
   */
  async onNodeWithPrivateKeys(nodeId: number): Promise<Array<{ server: ServerEntity; privateKey: string }>> {
    const servers = await this.servers
      .createQueryBuilder('s')
      .addSelect('s.privateKeyEnc')
      .where('s.nodeId = :nodeId', { nodeId })
      .orderBy('s.interface', 'ASC')
      .getMany();
    return servers.map((server) => ({ server, privateKey: this.box.open(server.privateKeyEnc, serverKeyContext(server.publicKey)) }));
  }

  /**
   * Changes settings the node renders (dns, mtu, …), so the server's generation moves with them.
   * The admin's PATCH sends UpdateServerDto; WGDashboard may also move the server on its node
   * (ServerPlacementDto). A new listen port or subnet is checked against the node's other servers under
   * the node's row lock (as create does), and new subnets must still hold every user's address.
   */
  async update(principal: FleetActor, id: number, input: ServerPlacementDto, options: UpdateServerOptions = {}): Promise<ServerWithNode> {
    const { inTransaction } = options;
    const patch: SettingsPatch & Partial<Pick<ServerEntity, 'privateKeyEnc' | 'publicKey'>> = settingsPatch(input);
    if (options.privateKey !== undefined) {
      // A new key pair: every client must learn the new public key (WGDashboard's raw file can do this).
      patch.publicKey = publicKeyFromPrivate(options.privateKey);
      patch.privateKeyEnc = this.box.seal(options.privateKey, serverKeyContext(patch.publicKey));
    }
    const fields = Object.keys(patch);
    if (fields.length === 0 && !inTransaction) return this.get(id);
    try {
      await this.dataSource.transaction(async (manager) => {
        if (patch.listenPort !== undefined || patch.ipv4Subnet !== undefined || patch.ipv6Subnet !== undefined) {
          const current = await manager.findOneBy(ServerEntity, { id });
          if (!current) throw new AppError('not_found', `server ${id} does not exist`);
          // The node's lock first, as create takes it: the same order everywhere cannot deadlock.
          await manager.findOne(NodeEntity, { where: { id: current.nodeId }, lock: { mode: 'pessimistic_write' } });
          const placement: NodePlacement = {
            listenPort: patch.listenPort ?? current.listenPort,
            ipv4Subnet: patch.ipv4Subnet ?? current.ipv4Subnet,
            ipv6Subnet: patch.ipv6Subnet !== undefined ? patch.ipv6Subnet : current.ipv6Subnet,
          };
          await this.checkNodeConflicts(manager, current.nodeId, placement, id);
          if (patch.ipv4Subnet !== undefined || patch.ipv6Subnet !== undefined) await this.checkUsersFit(manager, id, placement.ipv4Subnet, placement.ipv6Subnet);
        }
        await this.access.bumpGeneration(manager, id);
        if (fields.length > 0) await manager.update(ServerEntity, { id }, patch);
        await inTransaction?.(manager, id);
        await this.audit.record(
          principal,
          {
            action: 'server.update',
            targetType: 'server',
            targetId: id,
            details: { fields: [...changedFields(input), ...(options.privateKey === undefined ? [] : ['private_key'])], ...principal.auditDetails },
          },
          manager,
        );
      });
    } catch (error) {
      // The node lock makes this unreachable in practice; the constraint is the last word.
      if (isUniqueViolation(error, 'server_node_listen_port_key')) {
        throw new AppError('in_use', `listen_port ${input.listen_port} is already used on this node; choose another port`, [
          { field: 'listen_port', message: 'is already used by another server on this node' },
        ]);
      }
      throw error;
    }
    return this.get(id);
  }

  /**
   * Switches the server on (its interface is pushed to the node) or off (its interface leaves the
   * node; users, keys and settings stay). Each change is a new generation the reconciler converges.
   * False when it already was so.
   */
  async setEnabled(principal: FleetActor, id: number, enabled: boolean): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [Array<{ id: string }>, number] = await manager.query('UPDATE server SET enabled = $2 WHERE id = $1 AND enabled <> $2 RETURNING id', [id, enabled]);
      if (rows.length === 0) {
        if (!(await manager.existsBy(ServerEntity, { id }))) throw new AppError('not_found', `server ${id} does not exist`);
        return false;
      }
      await this.access.bumpGeneration(manager, id);
      await this.audit.record(
        principal,
        { action: enabled ? 'server.enable' : 'server.disable', targetType: 'server', targetId: id, details: { ...principal.auditDetails } },
        manager,
      );
      return true;
    });
  }

  /**
   * Gives the server another interface name on its node. The old interface leaves the node (a
   * removal row the reconciler works off before it pushes the new one, which takes the listen port
   * over); the new one is created by the next push.
   */
  async rename(principal: FleetActor, id: number, newInterface: string, options: { enabled?: boolean } = {}): Promise<ServerWithNode> {
    try {
      await this.dataSource.transaction(async (manager) => {
        const current = await manager.findOneBy(ServerEntity, { id });
        if (!current) throw new AppError('not_found', `server ${id} does not exist`);
        await manager.findOne(NodeEntity, { where: { id: current.nodeId }, lock: { mode: 'pessimistic_write' } });
        if (current.interface === newInterface) return;
        const [taken] = await manager.query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [current.nodeId, newInterface]);
        if (taken) throw interfaceTaken(current.nodeId, newInterface, Number(taken.id));
        await this.removals.cancel(manager, current.nodeId, newInterface);
        await manager.update(ServerEntity, { id }, { interface: newInterface, ...(options.enabled === undefined ? {} : { enabled: options.enabled }) });
        await this.removals.record(manager, { id, nodeId: current.nodeId, interface: current.interface });
        await this.access.bumpGeneration(manager, id);
        await this.audit.record(
          principal,
          { action: 'server.rename', targetType: 'server', targetId: id, details: { from: current.interface, to: newInterface, ...principal.auditDetails } },
          manager,
        );
      });
    } catch (error) {
      if (isUniqueViolation(error, 'server_node_interface_key')) throw new AppError('duplicate_name', `interface ${newInterface} is already used on this node; choose another interface name`);
      throw error;
    }
    return this.get(id);
  }

  /** Deletes a server nobody is assigned; 409 `in_use` while it has assignments. */
  async delete(principal: FleetActor, id: number): Promise<void> {
    const inUse = (count: number | null) =>
      new AppError(
        'in_use',
        `server ${id} still has ${count === null ? '' : `${count} `}assignment(s); delete them first (DELETE /api/admin/assignments/{id})`,
      );
    try {
      await this.dataSource.transaction(async (manager) => {
        // Locks out a concurrent assignment create (its foreign key check needs this row).
        const server = await manager.findOne(ServerEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!server) throw new AppError('not_found', `server ${id} does not exist`);
        const [{ count }] = await manager.query('SELECT count(*)::int AS count FROM assignment WHERE server_id = $1', [id]);
        if (count > 0) throw inUse(count);
        await manager.delete(ServerEntity, { id });
        // The node still holds the interface: the reconciler, woken after commit, takes it off.
        await this.removals.record(manager, server);
        this.changes.mark(manager, id);
        await this.audit.record(
          principal,
          {
            action: 'server.delete',
            targetType: 'server',
            targetId: id,
            details: { node_id: server.nodeId, name: server.name, interface: server.interface, ...principal.auditDetails },
          },
          manager,
        );
      });
    } catch (error) {
      if (isForeignKeyViolation(error)) throw inUse(null);
      throw error;
    }
  }

  /** Asks the reconciler to converge the server now; answers without waiting for it. */
  async reconcile(principal: Principal, id: number): Promise<{ server_id: number; sync: SyncState }> {
    const { server } = await this.get(id);
    await this.dataSource.transaction((manager) =>
      this.audit.record(principal, { action: 'server.reconcile', targetType: 'server', targetId: id, details: { node_id: server.nodeId } }, manager),
    );
    this.reconcileRequests.request(id);
    return { server_id: id, sync: syncStateOf(server) };
  }
}

function settingsPatch(input: ServerPlacementDto): SettingsPatch {
  const patch: SettingsPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.location !== undefined) patch.location = input.location;
  if (input.dns !== undefined) patch.dns = canonicalDns(input.dns);
  if (input.mtu !== undefined) patch.mtu = input.mtu;
  if (input.endpoint_host !== undefined) patch.endpointHost = input.endpoint_host === null ? null : canonicalHost(input.endpoint_host)!;
  if (input.port_forward_range !== undefined) {
    const range = parsePortRange(input.port_forward_range)!;
    patch.forwardPortMin = range.min;
    patch.forwardPortMax = range.max;
  }
  if (input.reserved_ports !== undefined) patch.reservedPorts = canonicalPorts(input.reserved_ports);
  if (input.listen_port !== undefined) patch.listenPort = input.listen_port;
  if (input.ipv4_subnet !== undefined) patch.ipv4Subnet = canonicalSubnet(input.ipv4_subnet);
  if (input.ipv6_subnet !== undefined) patch.ipv6Subnet = input.ipv6_subnet === null ? null : canonicalSubnet(input.ipv6_subnet);
  return patch;
}

function changedFields(input: ServerPlacementDto): string[] {
  const fields = ['name', 'location', 'dns', 'mtu', 'endpoint_host', 'port_forward_range', 'reserved_ports', 'listen_port', 'ipv4_subnet', 'ipv6_subnet'] as const;
  return fields.filter((f) => input[f] !== undefined);
}

export function canonicalDns(dns: string[]): string[] {
  return [...new Set(dns.map((ip) => canonicalIp(ip)!))];
}

export function canonicalPorts(ports: number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}

function interfaceTaken(nodeId: number, name: string, serverId?: number): AppError {
  return new AppError(
    'duplicate_name',
    `interface ${name} is already used on node ${nodeId}${serverId ? ` by server ${serverId}` : ''}; choose another interface name`,
    [{ field: 'interface', message: 'is already used by another server on this node' }],
  );
}

function listenPortTaken(nodeId: number, port: number, serverId?: number): AppError {
  return new AppError(
    'in_use',
    `listen_port ${port} is already used on node ${nodeId}${serverId ? ` by server ${serverId}` : ''}; choose another port`,
    [{ field: 'listen_port', message: 'is already used by another server on this node' }],
  );
}

function subnetTaken(field: 'ipv4_subnet' | 'ipv6_subnet', mine: string, theirs: string, serverId: number): AppError {
  return new AppError('in_use', `${field} ${mine} overlaps ${theirs} of server ${serverId} on the same node; choose a disjoint subnet`, [
    { field, message: `overlaps ${theirs} of server ${serverId} on this node` },
  ]);
}
