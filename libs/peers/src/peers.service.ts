import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { markProvisioned, numericNumber, type ProvisioningOutcome } from '@wgfleet/database';
import { AppError, pageOf, SecretBox, type Page, type Principal } from '@wgfleet/core';
import { FleetAccess, ServerEntity, type AssignmentContext } from '@wgfleet/servers';
import { formatIp, generateKeyPair, generatePresharedKey, parseIp } from '@wgfleet/wireguard';
import { DEFAULT_ALLOWED_IPS, DEFAULT_KEEPALIVE, type CreateUserDto, type ListUsersQueryDto } from './peers.dto.js';
import { lowestFreeAddress } from './lowest-free-address.js';
import { PeerTelemetry } from './peer-telemetry.js';
import { PlanEnforcer } from './plans/plan-enforcer.js';
import { refuseServerOwnKey } from './server-own-key.js';
import { planColumnsOf } from './user-plans.dto.js';
import { presharedKeyContext, privateKeyContext } from './user-key-contexts.js';
import { effectiveRates } from './plans/effective-rates.js';
import { UserEntity, type AccessState } from './user.entity.js';

/** A peer as the reconciler pushes it: AllowedIPs on the server are the user's own /32 and /128. */
export interface DesiredPeer {
  id: number;
  publicKey: string;
  presharedKey: string | null;
  ipv4: string;
  ipv6: string | null;
  /** Networks routed to the peer beyond its own addresses (an operator's peer may have some). */
  routedIps: string[];
  /** The rate the node holds the peer to, node → client, in kbit/s (plan and throttle combined); null: unlimited. */
  downloadKbit: number | null;
  /** client → node, in kbit/s; null: unlimited. */
  uploadKbit: number | null;
}

/** What keeps a user's peer off its node; with OFF_NODE_JOINS, over `wg_user u` (an operator's peer has no account). */
const OFF_NODE_JOINS = `LEFT JOIN assignment a ON a.id = u.assignment_id
         LEFT JOIN account acc ON acc.id = a.account_id
         LEFT JOIN account parent ON parent.id = acc.parent_id`;
const OFF_NODE = `u.restricted_at IS NOT NULL OR u.access_state = 'blocked' OR acc.suspended_at IS NOT NULL OR parent.suspended_at IS NOT NULL`;

/** A user some tenant owns through an assignment (every user the portal's routes act on). */
export type TenantUser = UserEntity & { assignmentId: number };

export function isTenantUser(user: UserEntity): user is TenantUser {
  return user.assignmentId !== null;
}

/** The keys a response may show: the private key only while the portal keeps one. */
export interface UserSecrets {
  privateKey: string | null;
  presharedKey: string | null;
}


/** WireGuard users (peers): the desired state of who may connect to which server. */
@Injectable()
export class PeersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly access: FleetAccess,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly audit: AuditService,
    private readonly telemetry: PeerTelemetry,
    private readonly enforcer: PlanEnforcer,
  ) {}

  /**
   * The user and where it lives; 404 when missing, 403 when it is not the caller's to act on. An
   * operator's peer belongs to no tenant: the portal's user routes never act on it.
   */
  async resolveUser(principal: Principal, userId: number): Promise<{ user: TenantUser; context: AssignmentContext }> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw new AppError('not_found', `user ${userId} does not exist`);
    if (!isTenantUser(user)) {
      throw new AppError('forbidden', `user ${userId} is an operator's peer, managed through the WGDashboard API, not the portal`);
    }
    const context = await this.access.resolveAssignmentOf(principal, user.assignmentId, `user ${userId}`);
    return { user, context };
  }

  /** Users held by one assignment (for quota checks; call inside the write's transaction). */
  async countUsers(manager: EntityManager, assignmentId: number): Promise<number> {
    return manager.getRepository(UserEntity).countBy({ assignmentId });
  }

  /** Users per assignment, in one query (for a page of assignments). */
  async countUsersByAssignment(assignmentIds: number[]): Promise<Map<number, number>> {
    if (assignmentIds.length === 0) return new Map();
    const rows: Array<{ assignment_id: string; users: number }> = await this.dataSource.query(
      'SELECT assignment_id, count(*)::int AS users FROM wg_user WHERE assignment_id = ANY($1::bigint[]) GROUP BY assignment_id',
      [assignmentIds],
    );
    return new Map(rows.map((row) => [Number(row.assignment_id), row.users]));
  }

  /**
   * Creates a peer on the assignment's server. The server row lock taken by bumpGeneration
   * serialises creates per server, so the name check, the quota and the address choice see every
   * committed user; the unique keys back them up.
   */
  async create(
    principal: Principal,
    context: AssignmentContext,
    input: CreateUserDto,
  ): Promise<{ user: UserEntity; server: ServerEntity; secrets: UserSecrets }> {
    const assignmentId = context.assignment.id;
    const serverId = context.server.id;
    const pair = input.public_key === undefined ? generateKeyPair() : null;
    const publicKey = pair?.publicKey ?? input.public_key!;
    const secrets: UserSecrets = {
      privateKey: pair?.privateKey ?? null,
      presharedKey: input.preshared_key === false ? null : generatePresharedKey(),
    };
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.access.bumpGeneration(manager, serverId);
        const server = await manager.findOneByOrFail(ServerEntity, { id: serverId });
        const [assignment]: Array<{ max_users: number | null }> = await manager.query('SELECT max_users FROM assignment WHERE id = $1', [
          assignmentId,
        ]);
        if (!assignment) throw new AppError('not_found', `server ${assignmentId} does not exist`);
        await this.checkName(manager, server, assignmentId, input.client_name);
        refuseServerOwnKey(server, publicKey);
        await this.checkPublicKey(manager, serverId, publicKey);
        await this.checkQuota(manager, assignmentId, assignment.max_users);
        const { ipv4, ipv6 } = await this.allocate(manager, server);

        const { id } = await manager.save(
          manager.create(UserEntity, {
            serverId,
            assignmentId,
            clientName: input.client_name,
            publicKey,
            privateKeyEnc: secrets.privateKey === null ? null : this.box.seal(secrets.privateKey, privateKeyContext({ serverId, publicKey })),
            presharedKeyEnc:
              secrets.presharedKey === null ? null : this.box.seal(secrets.presharedKey, presharedKeyContext({ serverId, publicKey })),
            ipv4,
            ipv6,
            dns: input.dns ?? null,
            allowedIps: input.allowed_ips ?? DEFAULT_ALLOWED_IPS,
            persistentKeepalive: input.persistent_keepalive ?? DEFAULT_KEEPALIVE,
            ...planColumnsOf(input),
            state: 'pending',
            stateError: null,
          }),
        );
        // A user may start disabled, expired or over its limit: the answer shows its access already.
        await this.enforcer.reevaluate(manager, [id]);
        const user = await manager.findOneByOrFail(UserEntity, { id });
        await this.audit.record(
          principal,
          { action: 'user.create', targetType: 'wg_user', targetId: user.id, details: { client_name: user.clientName, assignment_id: assignmentId } },
          manager,
        );
        return { user, server, secrets };
      });
    } catch (error) {
      throw mapConstraintError(error, input.client_name, assignmentId);
    }
  }

  /** Removes the peer; its port forwards and port claims go with it (foreign keys cascade). */
  async delete(principal: Principal, userId: number): Promise<void> {
    const { user } = await this.resolveUser(principal, userId);
    await this.dataSource.transaction(async (manager) => {
      await this.access.bumpGeneration(manager, user.serverId);
      const { affected } = await manager.delete(UserEntity, { id: userId });
      if (!affected) throw new AppError('not_found', `user ${userId} does not exist`);
      await this.audit.record(
        principal,
        { action: 'user.delete', targetType: 'wg_user', targetId: userId, details: { client_name: user.clientName, assignment_id: user.assignmentId } },
        manager,
      );
    });
  }

  /** The keys kept for a user, decrypted (for the user's own config). */
  async secretsOf(user: UserEntity): Promise<UserSecrets> {
    return (await this.secretsOfUsers([user])).get(user.id) ?? { privateKey: null, presharedKey: null };
  }

  /** The keys kept for each of these users, decrypted, in one query. */
  async secretsOfUsers(users: UserEntity[]): Promise<Map<number, UserSecrets>> {
    if (users.length === 0) return new Map();
    const rows = await this.users
      .createQueryBuilder('u')
      .select(['u.id', 'u.privateKeyEnc', 'u.presharedKeyEnc'])
      .where('u.id IN (:...ids)', { ids: users.map((user) => user.id) })
      .getMany();
    const sealed = new Map(rows.map((row) => [row.id, row]));
    return new Map(
      users.map((user) => {
        const row = sealed.get(user.id);
        return [
          user.id,
          {
            privateKey: row?.privateKeyEnc ? this.box.open(row.privateKeyEnc, privateKeyContext(user)) : null,
            presharedKey: row?.presharedKeyEnc ? this.box.open(row.presharedKeyEnc, presharedKeyContext(user)) : null,
          },
        ];
      }),
    );
  }

  /** One page of an assignment's users, filtered; `online` reads the latest poll (none yet: all offline). */
  async list(context: AssignmentContext, query: ListUsersQueryDto, page: Page): Promise<{ items: UserEntity[]; nextCursor: string | null }> {
    const qb = this.users
      .createQueryBuilder('u')
      .where('u.assignmentId = :assignmentId', { assignmentId: context.assignment.id })
      .andWhere('u.id > :afterId', { afterId: page.afterId })
      .orderBy('u.id', 'ASC')
      .limit(page.limit + 1);
    if (query.name !== undefined) qb.andWhere('u.clientName = :name', { name: query.name });
    if (query.public_key !== undefined) qb.andWhere('u.publicKey = :publicKey', { publicKey: query.public_key });
    if (query.ip !== undefined) {
      const ip = parseIp(query.ip, 'ip');
      qb.andWhere(ip.version === 4 ? 'u.ipv4 = CAST(:ip AS inet)' : 'u.ipv6 = CAST(:ip AS inet)', { ip: formatIp(ip) });
    }
    if (query.online !== undefined) {
      const online = await this.telemetry.onlineUserIds(context.server.id);
      if (query.online === 'true') {
        if (online.length === 0) return { items: [], nextCursor: null };
        qb.andWhere('u.id IN (:...online)', { online });
      } else if (online.length > 0) {
        qb.andWhere('u.id NOT IN (:...online)', { online });
      }
    }
    return pageOf(await qb.getMany(), page);
  }

  /** One page of every user of a server, whoever owns it, oldest first (the operator's view). */
  async listOnServer(serverId: number, page: Page): Promise<{ items: UserEntity[]; nextCursor: string | null }> {
    const rows = await this.users
      .createQueryBuilder('u')
      .where('u.serverId = :serverId', { serverId })
      .andWhere('u.id > :afterId', { afterId: page.afterId })
      .orderBy('u.id', 'ASC')
      .limit(page.limit + 1)
      .getMany();
    return pageOf(rows, page);
  }

  /** Every user of the assignment, oldest first (the status route is not paginated). */
  async listAll(assignmentId: number): Promise<UserEntity[]> {
    return this.users.find({ where: { assignmentId }, order: { id: 'ASC' } });
  }

  /**
   * What the server's node must hold, for the reconciler, in one read of its users: `peers`, every
   * user except those deliberately off the node, preshared keys opened, each with the rates the
   * node holds it to (its plan, or its throttle once a `throttle` data limit is reached); and
   * `offNodeUserIds`, the users kept off it — restricted (WGDashboard), blocked by their plan
   * (disabled, expired, data limit), or of a suspended account or a suspended reseller's customer.
   * A push settles those too: once it succeeds the node holds exactly what wgfleet wants for them
   * (nothing), so they are not left `pending` for ever. Call inside the reconciler's read-only
   * snapshot transaction.
   */
  async pushSetOf(manager: EntityManager, serverId: number): Promise<{ peers: DesiredPeer[]; offNodeUserIds: number[] }> {
    const rows: Array<{
      id: string;
      off_node: boolean;
      public_key: string;
      preshared_key_enc: Buffer | null;
      ipv4: string;
      ipv6: string | null;
      routed_ips: string[];
      download_mbps: string | null;
      upload_mbps: string | null;
      access_state: AccessState;
      data_limit_throttle_mbps: string | null;
    }> = await manager.query(
      `SELECT u.id, (${OFF_NODE}) AS off_node, u.public_key, u.preshared_key_enc, host(u.ipv4) AS ipv4, host(u.ipv6) AS ipv6,
              u.routed_ips::text[] AS routed_ips, u.download_mbps, u.upload_mbps, u.access_state, u.data_limit_throttle_mbps
         FROM wg_user u
         ${OFF_NODE_JOINS}
        WHERE u.server_id = $1
        ORDER BY u.id`,
      [serverId],
    );
    const peers: DesiredPeer[] = [];
    const offNodeUserIds: number[] = [];
    for (const row of rows) {
      if (row.off_node) {
        offNodeUserIds.push(Number(row.id));
        continue;
      }
      const user = { serverId, publicKey: row.public_key };
      peers.push({
        id: Number(row.id),
        publicKey: row.public_key,
        presharedKey: row.preshared_key_enc ? this.box.open(row.preshared_key_enc, presharedKeyContext(user)) : null,
        ipv4: row.ipv4,
        ipv6: row.ipv6,
        routedIps: row.routed_ips,
        ...effectiveRates({
          downloadMbps: numericNumber.from(row.download_mbps),
          uploadMbps: numericNumber.from(row.upload_mbps),
          accessState: row.access_state,
          throttleMbps: numericNumber.from(row.data_limit_throttle_mbps),
        }),
      });
    }
    return { peers, offNodeUserIds };
  }

  /**
   * Records what the reconciler achieved for the users it pushed (by id, so users created after
   * its snapshot keep their state): `active`, or `error` with a safe reason. `onlyPending` leaves
   * users that are already active alone (a failed push does not undo an earlier success).
   */
  async markProvisioned(manager: EntityManager, serverId: number, userIds: number[], outcome: ProvisioningOutcome): Promise<void> {
    await markProvisioned(manager, 'wg_user', serverId, userIds, outcome);
  }

  private async checkName(manager: EntityManager, server: ServerEntity, assignmentId: number, name: string): Promise<void> {
    // PiVPN #1790: a client named after the server or its interface breaks tooling that keys on names.
    if (['server', server.interface.toLowerCase()].includes(name.toLowerCase())) {
      throw new AppError('validation_failed', `client_name "${name}" is reserved; choose another name`, [
        { field: 'client_name', message: 'is reserved (server, or the server\'s interface name)' },
      ]);
    }
    const [taken] = await manager.query('SELECT 1 FROM wg_user WHERE assignment_id = $1 AND lower(client_name) = lower($2)', [
      assignmentId,
      name,
    ]);
    if (taken) throw duplicateName(name);
  }

  private async checkPublicKey(manager: EntityManager, serverId: number, publicKey: string): Promise<void> {
    const [taken] = await manager.query('SELECT 1 FROM wg_user WHERE server_id = $1 AND public_key = $2', [serverId, publicKey]);
    if (taken) throw publicKeyTaken();
  }

  /** max_users null is unlimited; a delegation's max_users is reserved out of its parent's. */
  private async checkQuota(manager: EntityManager, assignmentId: number, maxUsers: number | null): Promise<void> {
    if (maxUsers === null) return;
    const own = await this.countUsers(manager, assignmentId);
    const delegated = (await this.access.delegatedQuota(manager, assignmentId)).users;
    if (own + delegated >= maxUsers) {
      const detail = delegated > 0 ? ` (${own} users of its own, ${delegated} reserved for your customers)` : '';
      throw new AppError('server_full', `this server allows ${maxUsers} users for this account and all are taken${detail}; delete a user first`);
    }
  }

  private async allocate(manager: EntityManager, server: ServerEntity): Promise<{ ipv4: string; ipv6: string | null }> {
    const ipv4 = await lowestFreeAddress(manager, server.id, 'ipv4', server.ipv4Subnet);
    if (server.ipv6Subnet === null) return { ipv4, ipv6: null };
    return { ipv4, ipv6: await lowestFreeAddress(manager, server.id, 'ipv6', server.ipv6Subnet) };
  }
}

function duplicateName(name: string): AppError {
  return new AppError('duplicate_name', `a user named "${name}" already exists on this server (names are case-insensitive); choose another client_name`, [
    { field: 'client_name', message: 'is already used on this server' },
  ]);
}

function publicKeyTaken(): AppError {
  return new AppError('conflict', 'this public key is already in use on this server; generate a new key pair for this user', [
    { field: 'public_key', message: 'is already in use on this server' },
  ]);
}

/** The unique keys and foreign keys that back the checks above, for writes that race past them. */
function mapConstraintError(error: unknown, name: string, assignmentId: number): unknown {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'wg_user_assignment_name_key') return duplicateName(name);
  if (code === '23505' && constraint === 'wg_user_server_public_key_key') return publicKeyTaken();
  if (code === '23505') return new AppError('conflict', 'another user was created at the same moment; retry the request');
  if (code === '23503') return new AppError('not_found', `server ${assignmentId} does not exist`);
  return error;
}
