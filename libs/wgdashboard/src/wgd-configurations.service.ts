import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type EntityManager, type Repository } from 'typeorm';
import { AppError } from '@wgfleet/core';
import { DesiredStateReader, NodeDriver } from '@wgfleet/node-sync';
import { PeerTelemetry } from '@wgfleet/peers';
import { ServersService, type FleetActor, type ServerEntity } from '@wgfleet/servers';
import { parseCidr, serverAddress } from '@wgfleet/wireguard';
import { NO_HOOKS, type StoredHooks } from './configurations/raw-file.js';
import { NO_TRAFFIC, realtimeTraffic, type RealtimeTraffic } from './configurations/realtime-traffic.js';
import { WgdConfigurationHooksEntity } from './configurations/wgd-configuration-hooks.entity.js';
import type { WgdAuditActor } from './wgd-api-keys.service.js';
import { configurationStatus, toWgdConfiguration } from './wgd-configuration.js';

/** One configuration as this module reads it: the server, its opened key, its stored hooks. */
export interface ConfigurationRecord {
  server: ServerEntity;
  privateKey: string;
  hooks: StoredHooks;
  /** See `WgdConfigurationHooksEntity.publicKeyHidden`. */
  publicKeyHidden: boolean;
}

/** The server's own addresses with their prefix (first host of each subnet), IPv4 first: upstream's `Address` items. */
export function addressesOf(server: Pick<ServerEntity, 'ipv4Subnet' | 'ipv6Subnet'>): string[] {
  return [server.ipv4Subnet, ...(server.ipv6Subnet ? [server.ipv6Subnet] : [])].map((subnet) => `${serverAddress(subnet)}/${parseCidr(subnet, 'subnet').prefix}`);
}

/** A WGDashboard key holder as the fleet's audit log records it: no account, the key's id in the details. */
export function fleetActorOf(actor: WgdAuditActor): FleetActor {
  return {
    accountId: null,
    apiKeyId: null,
    sourceIp: actor.sourceIp,
    ...(actor.wgdKeyId === undefined ? {} : { auditDetails: { by_wgdashboard_key_id: actor.wgdKeyId } }),
  };
}

/**
 * A node's servers as WGDashboard configurations: the same rows the portal shows, seen through its
 * shapes, and the switch (on/off), rename and delete that WGDashboard has.
 */
@Injectable()
export class WgdConfigurations {
  private readonly logger = new Logger(WgdConfigurations.name);

  constructor(
    private readonly servers: ServersService,
    private readonly telemetry: PeerTelemetry,
    private readonly reader: DesiredStateReader,
    private readonly driver: NodeDriver,
    @InjectRepository(WgdConfigurationHooksEntity) private readonly hooks: Repository<WgdConfigurationHooksEntity>,
  ) {}

  /** Every configuration of the node, by name (upstream lists its scan of the folder, sorted). */
  async records(nodeId: number): Promise<ConfigurationRecord[]> {
    const servers = await this.servers.onNodeWithPrivateKeys(nodeId);
    const ids = servers.map(({ server }) => server.id);
    const stored = ids.length === 0 ? [] : await this.hooks.findBy({ serverId: In(ids) });
    const byServer = new Map(stored.map((row) => [row.serverId, row]));
    return servers.map(({ server, privateKey }) => {
      const row = byServer.get(server.id);
      return { server, privateKey, hooks: hooksOf(row), publicKeyHidden: row?.publicKeyHidden ?? false };
    });
  }

  /** The node's configuration of that name, or null (also for a name that is not a string). */
  async find(nodeId: number, name: unknown): Promise<ConfigurationRecord | null> {
    if (typeof name !== 'string' || name === '') return null;
    return (await this.records(nodeId)).find((record) => record.server.interface === name) ?? null;
  }

  async list(nodeId: number, now = new Date()): Promise<Array<Record<string, unknown>>> {
    return this.objects(await this.records(nodeId), now);
  }

  /** Upstream's configuration objects (notes §1.8.1), with each server's users as peers and their traffic. */
  async objects(records: ConfigurationRecord[], now = new Date()): Promise<Array<Record<string, unknown>>> {
    const traffic = await this.telemetry.trafficByServer(records.map(({ server }) => server.id));
    return records.map(({ server, privateKey, hooks, publicKeyHidden }) =>
      toWgdConfiguration(
        {
          interfaceName: server.interface,
          privateKey,
          publicKey: server.publicKey,
          publicKeyHidden,
          addresses: addressesOf(server),
          listenPort: server.listenPort,
          status: configurationStatus(server),
          hooks,
          peers: traffic.get(server.id) ?? [],
        },
        now,
      ),
    );
  }

  /**
   * Toggles the configuration: switched off, its interface leaves the node; switched on, it is
   * pushed again with its peers. Answers the new state, which the node reaches with the push that
   * follows (asynchronous, about a second).
   */
  async toggle(actor: WgdAuditActor, record: ConfigurationRecord): Promise<boolean> {
    const enabled = !record.server.enabled;
    await this.servers.setEnabled(fleetActorOf(actor), record.server.id, enabled);
    // Upstream rereads the file after either wg-quick, so the key shows from now on.
    await this.showPublicKey(record.server.id);
    return enabled;
  }

  /**
   * Switches the configuration on if it is off (upstream's peer calls bring a stopped configuration
   * up first). True when it was off. The push follows asynchronously, with the caller's changes if
   * they commit first.
   */
  async ensureUp(actor: WgdAuditActor, serverId: number): Promise<boolean> {
    const wasOff = await this.servers.setEnabled(fleetActorOf(actor), serverId, true);
    await this.showPublicKey(serverId);
    return wasOff;
  }

  /** Deletes the server; a server lent to portal customers is refused (their users are not deleted silently). */
  async delete(actor: WgdAuditActor, record: ConfigurationRecord): Promise<string | null> {
    try {
      await this.servers.delete(fleetActorOf(actor), record.server.id);
      return null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'in_use') {
        return `Configuration ${record.server.interface} is lent to portal customers and keeps their users: ${error.message}`;
      }
      throw error;
    }
  }

  /** The new name on the same node; the renamed configuration is left stopped, as upstream leaves it. */
  async rename(actor: WgdAuditActor, record: ConfigurationRecord, newName: string): Promise<string | null> {
    try {
      await this.servers.rename(fleetActorOf(actor), record.server.id, newName, { enabled: false });
      // Upstream loads the renamed configuration from its file, which computes the key.
      await this.showPublicKey(record.server.id);
      return null;
    } catch (error) {
      if (error instanceof AppError && (error.code === 'duplicate_name' || error.code === 'not_found')) return error.message;
      throw error;
    }
  }

  /**
   * The interface's receive/send rate in MB/s over one second, read on the node in one round trip.
   * A switched-off configuration, a missing interface or an unreachable node read as upstream's
   * absent interface (int zeros).
   */
  async realtimeTraffic(nodeId: number, record: ConfigurationRecord): Promise<RealtimeTraffic> {
    if (!record.server.enabled) return NO_TRAFFIC;
    try {
      const target = await this.reader.targetOfNode(nodeId);
      if (!target) return NO_TRAFFIC;
      return realtimeTraffic(await this.driver.interfaceCounters(target, record.server.interface));
    } catch (error) {
      this.logger.debug({ msg: 'realtime traffic unavailable', serverId: record.server.id, error: (error as Error).name });
      return NO_TRAFFIC;
    }
  }

  /**
   * Writes the stored hooks in the caller's transaction (the server's write). `publicKeyHidden` is
   * given by addWireguardConfiguration (true) and by a restore, which rereads the file (false); left
   * out, the stored state stays.
   */
  async saveHooks(manager: EntityManager, serverId: number, hooks: StoredHooks, state: { publicKeyHidden?: boolean } = {}): Promise<void> {
    await manager.upsert(
      WgdConfigurationHooksEntity,
      {
        serverId,
        preUp: hooks.PreUp,
        postUp: hooks.PostUp,
        preDown: hooks.PreDown,
        postDown: hooks.PostDown,
        tableName: hooks.Table,
        ...(state.publicKeyHidden === undefined ? {} : { publicKeyHidden: state.publicKeyHidden }),
      },
      ['serverId'],
    );
  }

  /** The configuration has been brought up (or its file reread): its key shows from now on. */
  private async showPublicKey(serverId: number): Promise<void> {
    await this.hooks.update({ serverId, publicKeyHidden: true }, { publicKeyHidden: false });
  }
}

function hooksOf(row: WgdConfigurationHooksEntity | undefined): StoredHooks {
  if (!row) return NO_HOOKS;
  return { PreUp: row.preUp, PreDown: row.preDown, PostUp: row.postUp, PostDown: row.postDown, Table: row.tableName };
}
