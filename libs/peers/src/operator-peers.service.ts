import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, IsNull, Not, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '@wgfleet/audit';
import { AppError, SecretBox } from '@wgfleet/core';
import type { InTransaction } from '@wgfleet/database';
import { FleetAccess, ServerEntity } from '@wgfleet/servers';
import { cidrContains, clientAddressRange, formatIp, parseCidr, parseIp, type IpVersion } from '@wgfleet/wireguard';
import { lowestFreeAddress } from './lowest-free-address.js';
import { refuseServerOwnKey } from './server-own-key.js';
import { presharedKeyContext, privateKeyContext } from './user-key-contexts.js';
import { UserEntity } from './user.entity.js';

/** Where a peer's own address comes from: the lowest free one of the server's subnet, or one given. */
export type AddressChoice = 'lowest-free' | string;

/** A peer the node's operator adds (the WGDashboard API): no tenant, no quota, its name free text. */
export interface NewOperatorPeer {
  name: string;
  publicKey: string;
  privateKey: string | null;
  presharedKey: string | null;
  ipv4: AddressChoice;
  /** Null: no IPv6 address (WGDashboard gives a peer one address unless told otherwise). */
  ipv6: AddressChoice | null;
  routedIps: string[];
  dns: string[] | null;
  /** The client's AllowedIPs (its routing). */
  allowedIps: string[];
  persistentKeepalive: number;
}

/** What an operator may change on a peer; absent fields stay. Keys: null removes a kept key. */
export interface OperatorPeerPatch {
  name?: string;
  privateKey?: string | null;
  presharedKey?: string | null;
  ipv4?: string;
  ipv6?: string | null;
  routedIps?: string[];
  dns?: string[] | null;
  allowedIps?: string[];
  persistentKeepalive?: number;
}

/**
 * The node operator's side of a server's peers (what the WGDashboard API drives): every user of the
 * server, tenants' and the operator's own, created, changed, restricted and deleted in one
 * transaction each, which bumps the server's generation so the reconciler pushes the result.
 */
@Injectable()
export class OperatorPeers {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: FleetAccess,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
  ) {}

  /** Every user of the server, restricted ones included, oldest first. */
  async onServer(serverId: number): Promise<UserEntity[]> {
    return this.dataSource.getRepository(UserEntity).find({ where: { serverId }, order: { id: 'ASC' } });
  }

  /** The server's user with that public key (unique per server), or null. */
  async findOnServer(serverId: number, publicKey: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ serverId, publicKey });
  }

  /** Adds the peers, all or none; `alongside` writes the caller's own rows about them in the same transaction. */
  async create(actor: AuditActor, serverId: number, peers: NewOperatorPeer[], alongside?: InTransaction<UserEntity[]>): Promise<UserEntity[]> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.access.bumpGeneration(manager, serverId);
        const server = await manager.findOneByOrFail(ServerEntity, { id: serverId });
        const created: UserEntity[] = [];
        for (const peer of peers) created.push(await this.insertPeer(manager, server, peer, null));
        await this.recordEach(actor, 'user.create', created, manager);
        await alongside?.(manager, created);
        return created;
      });
    } catch (error) {
      throw mapConstraintError(error);
    }
  }

  /**
   * Replaces the server's operator peers (assignment null) by `peers`, with their keys, addresses
   * and restriction, inside the caller's transaction (WGDashboard's backup restore, which changes the
   * server's settings in the same one: all or nothing). Tenants' users are left as they are.
   */
  async replaceOperatorPeers(
    manager: EntityManager,
    actor: AuditActor,
    serverId: number,
    peers: Array<NewOperatorPeer & { restricted: boolean }>,
    alongside?: InTransaction<UserEntity[]>,
  ): Promise<UserEntity[]> {
    try {
      await this.access.bumpGeneration(manager, serverId);
      const server = await manager.findOneByOrFail(ServerEntity, { id: serverId });
      const current = await manager.findBy(UserEntity, { serverId, assignmentId: IsNull() });
      if (current.length > 0) {
        await manager.delete(UserEntity, { id: In(current.map((user) => user.id)) });
        await this.recordEach(actor, 'user.delete', current, manager);
      }
      const created: UserEntity[] = [];
      for (const peer of peers) created.push(await this.insertPeer(manager, server, peer, peer.restricted ? new Date() : null));
      // The restore may also have given the server another key: a tenant's user left in place must not hold it.
      const clash = await manager.findOneBy(UserEntity, { serverId, publicKey: server.publicKey });
      if (clash) refuseServerOwnKey(server, clash.publicKey);
      await this.recordEach(actor, 'user.create', created, manager);
      await alongside?.(manager, created);
      return created;
    } catch (error) {
      throw mapConstraintError(error);
    }
  }

  /** One new operator peer of the server, its public key (not the server's own, not another peer's) and addresses checked. */
  private async insertPeer(manager: EntityManager, server: ServerEntity, peer: NewOperatorPeer, restrictedAt: Date | null): Promise<UserEntity> {
    const serverId = server.id;
    refuseServerOwnKey(server, peer.publicKey);
    const [taken] = await manager.query('SELECT 1 FROM wg_user WHERE server_id = $1 AND public_key = $2', [serverId, peer.publicKey]);
    if (taken) throw publicKeyTaken(peer.publicKey);
    const ipv4 = await this.addressFor(manager, server, 4, peer.ipv4);
    const ipv6 = peer.ipv6 === null ? null : await this.addressFor(manager, server, 6, peer.ipv6);
    return manager.save(
      manager.create(UserEntity, {
        serverId,
        assignmentId: null,
        clientName: peer.name,
        publicKey: peer.publicKey,
        privateKeyEnc: this.seal(peer.privateKey, privateKeyContext({ serverId, publicKey: peer.publicKey })),
        presharedKeyEnc: this.seal(peer.presharedKey, presharedKeyContext({ serverId, publicKey: peer.publicKey })),
        ipv4,
        ipv6,
        routedIps: peer.routedIps,
        dns: peer.dns,
        allowedIps: peer.allowedIps,
        persistentKeepalive: peer.persistentKeepalive,
        restrictedAt,
        state: 'pending',
        stateError: null,
      }),
    );
  }

  /** Changes one peer of the server; null when the server holds no such peer. */
  async update(
    actor: AuditActor,
    serverId: number,
    userId: number,
    patch: OperatorPeerPatch,
    alongside?: InTransaction<UserEntity>,
  ): Promise<UserEntity | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.access.bumpGeneration(manager, serverId);
        const user = await manager.findOneBy(UserEntity, { id: userId, serverId });
        if (!user) return null;
        const server = await manager.findOneByOrFail(ServerEntity, { id: serverId });
        const changes: Partial<UserEntity> = {};
        if (patch.name !== undefined) changes.clientName = patch.name;
        if (patch.privateKey !== undefined) changes.privateKeyEnc = this.seal(patch.privateKey, privateKeyContext(user));
        if (patch.presharedKey !== undefined) changes.presharedKeyEnc = this.seal(patch.presharedKey, presharedKeyContext(user));
        if (patch.ipv4 !== undefined) changes.ipv4 = await this.addressFor(manager, server, 4, patch.ipv4, user.id);
        if (patch.ipv6 !== undefined) changes.ipv6 = patch.ipv6 === null ? null : await this.addressFor(manager, server, 6, patch.ipv6, user.id);
        if (patch.routedIps !== undefined) changes.routedIps = patch.routedIps;
        if (patch.dns !== undefined) changes.dns = patch.dns;
        if (patch.allowedIps !== undefined) changes.allowedIps = patch.allowedIps;
        if (patch.persistentKeepalive !== undefined) changes.persistentKeepalive = patch.persistentKeepalive;
        // The push that carries the change decides the state again.
        await manager.update(UserEntity, { id: user.id }, { ...changes, state: 'pending', stateError: null });
        const updated = await manager.findOneByOrFail(UserEntity, { id: user.id });
        await this.recordEach(actor, 'user.update', [updated], manager);
        await alongside?.(manager, updated);
        return updated;
      });
    } catch (error) {
      throw mapConstraintError(error);
    }
  }

  /**
   * Keeps the peers off the node (restricted) or lets them back; returns the ids that changed.
   * Ids the server does not hold, or already in that state, are left out.
   */
  async setRestricted(actor: AuditActor, serverId: number, userIds: number[], restricted: boolean): Promise<number[]> {
    if (userIds.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, serverId);
      const users = await manager.findBy(UserEntity, { serverId, id: In(userIds), restrictedAt: restricted ? IsNull() : Not(IsNull()) });
      if (users.length === 0) return [];
      const ids = users.map((user) => user.id);
      await manager.update(UserEntity, { id: In(ids) }, { restrictedAt: restricted ? new Date() : null, state: 'pending', stateError: null });
      await this.recordEach(actor, restricted ? 'user.restrict' : 'user.allow', users, manager);
      return ids;
    });
  }

  /** Deletes the peers the server holds among `userIds` (their forwards go with them); returns the ids deleted. */
  async delete(actor: AuditActor, serverId: number, userIds: number[]): Promise<number[]> {
    if (userIds.length === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, serverId);
      const users = await manager.findBy(UserEntity, { serverId, id: In(userIds) });
      if (users.length === 0) return [];
      await manager.delete(UserEntity, { id: In(users.map((user) => user.id)) });
      await this.recordEach(actor, 'user.delete', users, manager);
      return users.map((user) => user.id);
    });
  }

  /** One audit entry per peer, in the write's transaction; names and ids only. */
  private async recordEach(actor: AuditActor, action: string, users: UserEntity[], manager: EntityManager): Promise<void> {
    for (const user of users) {
      const details = { server_id: user.serverId, public_key: user.publicKey, operator_peer: user.assignmentId === null };
      await this.audit.record(actor, { action, targetType: 'wg_user', targetId: user.id, details }, manager);
    }
  }

  private seal(secret: string | null, context: string): Buffer | null {
    return secret === null ? null : this.box.seal(secret, context);
  }

  /** The chosen address, checked: inside the server's subnet, a client address, not another peer's. */
  private async addressFor(manager: EntityManager, server: ServerEntity, version: IpVersion, choice: AddressChoice, self?: number): Promise<string> {
    const column = version === 4 ? 'ipv4' : 'ipv6';
    const subnet = version === 4 ? server.ipv4Subnet : server.ipv6Subnet;
    if (subnet === null) throw new AppError('validation_failed', `server ${server.name} has no IPv6 subnet; give the peer an IPv4 address only`);
    if (choice === 'lowest-free') return lowestFreeAddress(manager, server.id, column, subnet);
    const ip = parseIp(choice, column);
    const address = formatIp(ip);
    const range = clientAddressRange(subnet);
    const inRange =
      range !== null &&
      cidrContains(parseCidr(subnet, 'subnet'), ip) &&
      ip.value >= parseIp(range.first, column).value &&
      ip.value <= parseIp(range.last, column).value;
    if (!inRange) {
      throw new AppError('validation_failed', `${address} is not a client address of ${subnet} (not the network, broadcast or the server's own address)`);
    }
    const [taken] = await manager.query(`SELECT id FROM wg_user WHERE server_id = $1 AND ${column} = $2::inet AND id IS DISTINCT FROM $3`, [
      server.id,
      address,
      self ?? null,
    ]);
    if (taken) throw addressTaken(address);
    return address;
  }
}

function publicKeyTaken(publicKey: string): AppError {
  return new AppError('conflict', `a peer with public key ${publicKey} already exists on this server`);
}

function addressTaken(address: string): AppError {
  return new AppError('conflict', `${address} is already another peer's address on this server`);
}

/** The unique keys behind the checks above, for writes that race past them. */
function mapConstraintError(error: unknown): unknown {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'wg_user_server_public_key_key') return new AppError('conflict', 'a peer with this public key already exists on this server');
  if (code === '23505') return new AppError('conflict', 'another peer took this address at the same moment; retry the request');
  if (code === '23514') return new AppError('validation_failed', "a tenant's user keeps a name of 1-50 letters, digits, '-' or '_'");
  return error;
}
