import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import type { EntityManager, Repository } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { OperatorPeers } from '@wgfleet/peers';
import { CreateServerDto, ServerPlacementDto, ServersService } from '@wgfleet/servers';
import { firstValidationError } from '../configurations/first-validation-error.js';
import { refusalOf } from '../fleet-refusal.js';
import { WgdPeerEntity } from '../peers/wgd-peer.entity.js';
import type { WgdAuditActor } from '../wgd-api-keys.service.js';
import { fleetActorOf, WgdConfigurations, type ConfigurationRecord } from '../wgd-configurations.service.js';
import { wgdFail, wgdOk, type WgdResult } from '../wgd-result.js';
import { backupPeersProblem } from './backup-peer-checks.js';
import type { BackupSnapshot } from './backup-snapshot.js';
import { openSnapshot } from './snapshot-seal.js';
import { WgdBackupEntity } from './wgd-backup.entity.js';

const PLAIN_LABEL = /^[A-Za-z0-9_.-]{1,15}$/;

/**
 * Brings a backup back: into its own configuration (restoreWireguardConfigurationBackup) or as a new
 * one (addWireguardConfiguration with `Backup`). The server's settings, its hooks and the operator's
 * peers with their keys, addresses and restriction change in one transaction, so a refused restore
 * changes nothing. Tenants' users are neither removed nor re-created: they belong to the portal.
 */
@Injectable()
export class BackupRestorer {
  constructor(
    @InjectRepository(WgdBackupEntity) private readonly backups: Repository<WgdBackupEntity>,
    private readonly box: SecretBox,
    private readonly configurations: WgdConfigurations,
    private readonly operatorPeers: OperatorPeers,
    private readonly servers: ServersService,
  ) {}

  /** notes §2.17: only this configuration's backups; the configuration ends switched off, as upstream leaves it. */
  async restore(actor: WgdAuditActor, nodeId: number, record: ConfigurationRecord, fileName: unknown): Promise<WgdResult> {
    const row = typeof fileName === 'string' && fileName !== '' ? await this.backups.findOneBy({ nodeId, configurationName: record.server.interface, fileName }) : null;
    if (!row) return wgdFail('Restore backup failed');
    const snapshot = openSnapshot(this.box, row);
    const refused = backupPeersProblem(snapshot.peers);
    if (refused !== null) return wgdFail(`Restore backup failed: ${refused}`);
    const { iface } = snapshot;
    const { server } = record;
    const patch: Record<string, unknown> = {};
    if (iface.listenPort !== server.listenPort) patch.listen_port = iface.listenPort;
    if (iface.ipv4Subnet !== server.ipv4Subnet) patch.ipv4_subnet = iface.ipv4Subnet;
    if (iface.ipv6Subnet !== server.ipv6Subnet) patch.ipv6_subnet = iface.ipv6Subnet;
    if (iface.mtu !== server.mtu) patch.mtu = iface.mtu;
    const failure = await refusedAsFailure('Restore backup failed: ', () =>
      this.servers.update(fleetActorOf(actor), server.id, plainToInstance(ServerPlacementDto, patch), {
        privateKey: iface.privateKey === record.privateKey ? undefined : iface.privateKey,
        inTransaction: (manager, serverId) => this.writeContents(manager, actor, serverId, snapshot),
      }),
    );
    if (failure) return failure;
    await this.servers.setEnabled(fleetActorOf(actor), server.id, false);
    return wgdOk();
  }

  /**
   * addWireguardConfiguration with `Backup` (notes §2.4): a new configuration `configurationName` made
   * from the node's backup of exactly that file name (any configuration's): its key, addresses, port,
   * hooks and operator's peers. Created switched off, as upstream's new configuration. The caller has
   * made upstream's checks (required fields, taken name, port, address) and validated the name.
   */
  async restoreInto(actor: WgdAuditActor, nodeId: number, configurationName: string, backupFileName: unknown): Promise<WgdResult> {
    const row = typeof backupFileName === 'string' && backupFileName !== '' ? await this.backups.findOneBy({ nodeId, fileName: backupFileName }) : null;
    if (!row) return wgdFail('Backup does not exist');
    const snapshot = openSnapshot(this.box, row);
    const refused = backupPeersProblem(snapshot.peers);
    if (refused !== null) return wgdFail(`Backup cannot be restored: ${refused}`);
    const { iface } = snapshot;
    const input = plainToInstance(CreateServerDto, {
      name: PLAIN_LABEL.test(configurationName) ? configurationName : 'WGDashboard configuration',
      location: 'WGDashboard',
      interface: configurationName,
      listen_port: iface.listenPort,
      ipv4_subnet: iface.ipv4Subnet,
      ipv6_subnet: iface.ipv6Subnet,
      mtu: iface.mtu,
    });
    const invalid = await firstValidationError(input);
    if (invalid) return wgdFail(invalid);
    const failure = await refusedAsFailure('', () =>
      this.servers.create(fleetActorOf(actor), nodeId, input, {
        privateKey: iface.privateKey,
        enabled: false,
        inTransaction: (manager, serverId) => this.writeContents(manager, actor, serverId, snapshot),
      }),
    );
    return failure ?? wgdOk();
  }

  /** The hooks and the operator's peers of the snapshot, in the server write's transaction. */
  private async writeContents(manager: EntityManager, actor: WgdAuditActor, serverId: number, snapshot: BackupSnapshot): Promise<void> {
    // Upstream reads the restored file, which computes the public key: it shows from now on.
    await this.configurations.saveHooks(manager, serverId, snapshot.iface.hooks, { publicKeyHidden: false });
    const peers = snapshot.peers.filter((peer) => !peer.tenant);
    await this.operatorPeers.replaceOperatorPeers(
      manager,
      actor,
      serverId,
      // A backed-up peer is the peers module's new peer plus what only the backup keeps.
      peers.map(({ tenant: _tenant, wgd: _wgd, row: _row, ...peer }) => peer),
      async (inner, users) => {
        if (users.length === 0) return;
        await inner.insert(
          WgdPeerEntity,
          users.map((user, index) => ({ userId: user.id, ...peers[index]!.wgd })),
        );
      },
    );
  }
}

/** The fleet's refusal of `work` as an upstream-style failure (`prefix` + its reason); null when it went through. */
async function refusedAsFailure(prefix: string, work: () => Promise<unknown>): Promise<WgdResult | null> {
  const outcome = await refusalOf(work);
  return outcome.ok ? null : wgdFail(`${prefix}${outcome.message}`);
}
