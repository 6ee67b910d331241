import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThan, type Repository } from 'typeorm';
import { AppError, SecretBox } from '@wgfleet/core';
import { ConfigurationEditor } from '../configurations/configuration-editor.service.js';
import { WgdPeers } from '../peers/wgd-peers.service.js';
import { WgdConfigurations, type ConfigurationRecord } from '../wgd-configurations.service.js';
import { backupFileName, databaseContentOf, sqlRowOf, toBackupJson, type BackupJson, type BackupPeer, type BackupSnapshot } from './backup-snapshot.js';
import { openSnapshot, sealSnapshot } from './snapshot-seal.js';
import { storedZip } from './stored-zip.js';
import { WgdBackupDownloadEntity, WgdBackupEntity } from './wgd-backup.entity.js';

/** How long a download's `<uuid>.zip` can be fetched (upstream's file stays until someone deletes it). */
export const DOWNLOAD_LIFETIME_MS = 60 * 60 * 1000;

/** `<uuid>.zip` as handed out by a download: the only shape `/fileDownload` looks up. */
const DOWNLOAD_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.zip$/;

/**
 * A node's configuration backups, kept in Postgres (notes §2.12-2.17): made from what the control
 * plane holds (the configuration's wg-quick file, its settings and every peer with its keys),
 * listed, deleted and downloaded as a zip (BackupRestorer restores them). Backup names are only ever compared with the
 * node's own rows, never used as paths.
 */
@Injectable()
export class WgdBackups {
  constructor(
    @InjectRepository(WgdBackupEntity) private readonly backups: Repository<WgdBackupEntity>,
    @InjectRepository(WgdBackupDownloadEntity) private readonly downloads: Repository<WgdBackupDownloadEntity>,
    private readonly box: SecretBox,
    private readonly configurations: WgdConfigurations,
    private readonly editor: ConfigurationEditor,
    private readonly peers: WgdPeers,
  ) {}

  /** The configuration's backups, newest first (upstream: by file ctime). */
  async list(nodeId: number, configurationName: string): Promise<BackupJson[]> {
    const rows = await this.backups.find({ where: { nodeId, configurationName }, order: { createdAt: 'DESC', id: 'DESC' } });
    return rows.map((row) => toBackupJson(row, this.open(row)));
  }

  /** Backs the configuration up now; a backup of the same second replaces the earlier one (upstream overwrites the file). */
  async create(nodeId: number, record: ConfigurationRecord, now = new Date()): Promise<void> {
    const name = record.server.interface;
    const configuration = await this.peers.configuration(nodeId, name);
    if (!configuration) throw new AppError('not_found', `configuration ${name} is gone`);
    const raw = (await this.editor.rawFile(record)).data as { content: string };
    const records = await this.peers.records(configuration);
    const objects = this.peers.toJson(configuration, records, now);
    const peers: BackupPeer[] = records.map(({ user, source }, index) => ({
      publicKey: user.publicKey,
      name: user.clientName,
      privateKey: source.privateKey === '' ? null : source.privateKey,
      presharedKey: source.presharedKey === '' ? null : source.presharedKey,
      ipv4: user.ipv4,
      ipv6: user.ipv6,
      routedIps: user.routedIps,
      dns: user.dns,
      allowedIps: user.allowedIps,
      persistentKeepalive: user.persistentKeepalive,
      restricted: source.restricted,
      tenant: user.assignmentId !== null,
      wgd: { dns: source.dns, endpointAllowedIp: source.endpointAllowedIp, mtu: source.mtu, remoteEndpoint: source.remoteEndpoint },
      row: sqlRowOf(objects[index]!),
    }));
    const { server } = record;
    const snapshot: BackupSnapshot = {
      version: 1,
      content: raw.content,
      iface: {
        privateKey: record.privateKey,
        ipv4Subnet: server.ipv4Subnet,
        ipv6Subnet: server.ipv6Subnet,
        listenPort: server.listenPort,
        mtu: server.mtu,
        hooks: record.hooks,
      },
      peers,
    };
    const sealed = sealSnapshot(this.box, { nodeId, configurationName: name }, snapshot);
    await this.backups.query(
      `INSERT INTO wgd_backup (node_id, configuration_name, file_name, created_at, snapshot) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (node_id, file_name) DO UPDATE SET configuration_name = EXCLUDED.configuration_name, created_at = EXCLUDED.created_at, snapshot = EXCLUDED.snapshot`,
      [nodeId, name, backupFileName(name, now), now, sealed],
    );
  }

  /** False when the configuration has no backup of that name. */
  async delete(nodeId: number, configurationName: string, fileName: unknown): Promise<boolean> {
    const row = await this.find(nodeId, configurationName, fileName);
    if (!row) return false;
    await this.backups.delete({ id: row.id });
    return true;
  }

  /**
   * Every backup of the node (notes §2.15): under the configurations that exist, and by name under
   * NonExistingConfigurations for the others (with `protocol`). Configurations without backups are left out.
   */
  async all(nodeId: number): Promise<{ ExistingConfigurations: Record<string, BackupJson[]>; NonExistingConfigurations: Record<string, BackupJson[]> }> {
    const existing = new Set((await this.configurations.records(nodeId)).map(({ server }) => server.interface));
    const rows = await this.backups.find({ where: { nodeId }, order: { createdAt: 'DESC', id: 'DESC' } });
    const result = { ExistingConfigurations: {} as Record<string, BackupJson[]>, NonExistingConfigurations: {} as Record<string, BackupJson[]> };
    for (const row of rows) {
      const exists = existing.has(row.configurationName);
      const group = exists ? result.ExistingConfigurations : result.NonExistingConfigurations;
      (group[row.configurationName] ??= []).push(toBackupJson(row, this.open(row), { databaseContent: true, protocol: !exists }));
    }
    return result;
  }

  /** A `<uuid>.zip` name that `/fileDownload` serves for an hour; null when there is no such backup. */
  async download(nodeId: number, configurationName: string, fileName: unknown, now = new Date()): Promise<string | null> {
    const row = await this.find(nodeId, configurationName, fileName);
    if (!row) return null;
    await this.downloads.delete({ createdAt: LessThan(new Date(now.getTime() - DOWNLOAD_LIFETIME_MS)) });
    const id = randomUUID();
    await this.downloads.insert({ id, backupId: row.id, createdAt: now });
    return `${id}.zip`;
  }

  /** The zip behind a download name (the `.conf` and its `.sql`, under their names), or null. */
  async zipOf(file: string, now = new Date()): Promise<Buffer | null> {
    const id = DOWNLOAD_FILE.exec(file)?.[1];
    if (id === undefined) return null;
    const download = await this.downloads.findOneBy({ id, createdAt: MoreThan(new Date(now.getTime() - DOWNLOAD_LIFETIME_MS)) });
    const row = download ? await this.backups.findOneBy({ id: download.backupId }) : null;
    if (!row) return null;
    const snapshot = this.open(row);
    return storedZip([
      { name: row.fileName, content: Buffer.from(snapshot.content, 'utf8') },
      { name: row.fileName.replace(/\.conf$/, '.sql'), content: Buffer.from(databaseContentOf(row.configurationName, snapshot), 'utf8') },
    ]);
  }

  /** The configuration's backup of exactly that file name, or null: a name is looked up, never joined into a path. */
  private async find(nodeId: number, configurationName: string, fileName: unknown): Promise<WgdBackupEntity | null> {
    if (typeof fileName !== 'string' || fileName === '') return null;
    return this.backups.findOneBy({ nodeId, configurationName, fileName });
  }

  private open(row: WgdBackupEntity): BackupSnapshot {
    return openSnapshot(this.box, row);
  }
}
