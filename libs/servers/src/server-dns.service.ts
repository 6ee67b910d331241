import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { AuditService } from '@wgfleet/audit';
import { AppError, type Principal } from '@wgfleet/core';
import { FleetAccess } from './fleet-access.service.js';
import type { DnsTlsResolver } from './server.entity.js';
import { ServerEntity } from './server.entity.js';

export interface DnsWriteOptions {
  /**
   * A customer's write: refused with 409 `server_shared` when the server is assigned to more than
   * one account, since its DNS is every account's users' DNS. The admin's writes pass.
   */
  refuseShared?: boolean;
  /** Names and ids for the audit entry (the assignment the customer acted through). */
  auditDetails?: Record<string, unknown>;
}

/**
 * A server's DNS: plain (clients use the server's `dns`) or DNS-over-TLS (the node runs a caching
 * resolver on the tunnel addresses that forwards only over TLS, and clients use it). Each change is
 * a new generation the reconciler pushes.
 */
@Injectable()
export class ServerDnsService {
  constructor(
    @InjectRepository(ServerEntity) private readonly servers: Repository<ServerEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: FleetAccess,
    private readonly audit: AuditService,
  ) {}

  /** The server, or 404. */
  async server(serverId: number): Promise<ServerEntity> {
    const server = await this.servers.findOneBy({ id: serverId });
    if (!server) throw new AppError('not_found', `server ${serverId} does not exist`);
    return server;
  }

  /** DNS-over-TLS through these resolvers (checked and canonical: parseDnsResolvers). */
  async useTls(principal: Principal, serverId: number, resolvers: DnsTlsResolver[], options: DnsWriteOptions = {}): Promise<ServerEntity> {
    return this.write(principal, serverId, resolvers, options);
  }

  /** Plain DNS again: the node's resolver for the server stops, clients get the server's `dns`. */
  async usePlain(principal: Principal, serverId: number, options: DnsWriteOptions = {}): Promise<ServerEntity> {
    return this.write(principal, serverId, null, options);
  }

  private async write(principal: Principal, serverId: number, resolvers: DnsTlsResolver[] | null, options: DnsWriteOptions): Promise<ServerEntity> {
    await this.dataSource.transaction(async (manager) => {
      // FOR UPDATE also holds off a concurrent assignment of the server (its foreign key check
      // needs this row), so "shared" cannot change between the count and the write.
      const server = await manager.findOne(ServerEntity, { where: { id: serverId }, lock: { mode: 'pessimistic_write' } });
      if (!server) throw new AppError('not_found', `server ${serverId} does not exist`);
      if (options.refuseShared) {
        const [{ accounts }] = await manager.query('SELECT count(DISTINCT account_id)::int AS accounts FROM assignment WHERE server_id = $1', [serverId]);
        if (accounts > 1) {
          throw new AppError(
            'server_shared',
            "this server is shared with other accounts and its DNS is their users' DNS too, so only an admin sets it (PUT /api/admin/servers/{id}/dns); ask your provider",
          );
        }
      }
      await this.access.bumpGeneration(manager, serverId);
      await manager.query('UPDATE server SET dns_mode = $2, dns_tls_resolvers = $3::jsonb WHERE id = $1', [
        serverId,
        resolvers === null ? 'plain' : 'tls',
        resolvers === null ? null : JSON.stringify(resolvers),
      ]);
      await this.audit.record(
        principal,
        {
          action: resolvers === null ? 'server.dns_plain' : 'server.dns_tls',
          targetType: 'server',
          targetId: serverId,
          details: { ...(resolvers === null ? {} : { resolvers }), ...options.auditDetails },
        },
        manager,
      );
    });
    return this.server(serverId);
  }
}
