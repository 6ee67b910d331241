import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig, AppError } from '@wgfleet/core';
import { NodesService, type NodeEntity } from '@wgfleet/servers';
import type { WgdKeyGrant } from '../wgd-api-keys.service.js';
import { WgdHttpError } from '../wgd-result.js';
import { dashboardConfiguration, defaultText, SETTINGS, settingId, type EmailSettings, type SettingFacts } from './dashboard-settings.js';
import { WgdSettingEntity } from './wgd-setting.entity.js';

/** What a new peer gets when the request leaves it out (upstream's `[Peers]` settings, notes §2.26). */
export interface WgdPeerDefaults {
  dns: string;
  endpointAllowedIp: string;
  mtu: number;
  keepalive: number;
  remoteEndpoint: string;
}

/** The node whose `wgdashboard-key` the CLI hands out by default: this machine. */
const LOCAL_NODE = 'local';

/**
 * The dashboard settings of each node (upstream's `wg-dashboard.ini`, one per node here): the rows
 * its key holders changed over the defaults in `dashboard-settings.ts`.
 */
@Injectable()
export class WgdSettings {
  constructor(
    @InjectRepository(WgdSettingEntity) private readonly settings: Repository<WgdSettingEntity>,
    private readonly nodes: NodesService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Whose settings a request sees: its key's node; without a key (the routes upstream leaves open),
   * the `local` node's when there is one, else none (the defaults).
   */
  async nodeOf(grant: WgdKeyGrant | undefined): Promise<number | null> {
    if (grant) return grant.nodeId;
    return (await this.nodes.findByName(LOCAL_NODE))?.id ?? null;
  }

  /** Every section and visible option of the node, typed as upstream's `getDashboardConfiguration`. */
  async configuration(nodeId: number): Promise<Record<string, Record<string, unknown>>> {
    const [overrides, node] = await Promise.all([this.overrides(nodeId), this.node(nodeId)]);
    return dashboardConfiguration(overrides, this.facts(node));
  }

  /** One option's text (stored, else its default); `nodeId` null reads the defaults. Not for options whose default needs the node. */
  async text(nodeId: number | null, section: string, key: string): Promise<string> {
    const rule = SETTINGS.get(section)?.get(key);
    if (!rule || typeof rule.default !== 'string') throw new Error(`${section}.${key} is not a plain setting`);
    if (nodeId === null) return rule.default;
    const row = await this.settings.findOneBy({ nodeId, section, key });
    return row?.value ?? rule.default;
  }

  /** Stores an option's text for the node (validated by `planSettingUpdate` first). */
  async store(nodeId: number, section: string, key: string, value: string): Promise<void> {
    try {
      await this.settings.query(
        `INSERT INTO wgd_setting (node_id, section, key, value) VALUES ($1, $2, $3, $4)
         ON CONFLICT (node_id, section, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [nodeId, section, key, value],
      );
    } catch (error) {
      // The node went away (its keys with it) between the key check and this write.
      if ((error as { code?: string }).code === '23503') throw gone();
      throw error;
    }
  }

  /** The defaults addPeers and downloadPeer use for the node's peers. */
  async peerDefaults(nodeId: number): Promise<WgdPeerDefaults> {
    const [overrides, node] = await Promise.all([this.overrides(nodeId), this.node(nodeId)]);
    const facts = this.facts(node);
    const peers = SETTINGS.get('Peers')!;
    const text = (key: string) => overrides.get(settingId('Peers', key)) ?? defaultText(peers.get(key)!, facts);
    return {
      dns: text('peer_global_dns'),
      endpointAllowedIp: text('peer_endpoint_allowed_ip'),
      // Stored only after wholeNumberProblem accepted them: plain digits.
      mtu: Number(text('peer_mtu')),
      keepalive: Number(text('peer_keep_alive')),
      remoteEndpoint: text('remote_endpoint'),
    };
  }

  private async overrides(nodeId: number): Promise<Map<string, string>> {
    const rows = await this.settings.findBy({ nodeId });
    return new Map(rows.map((row) => [settingId(row.section, row.key), row.value]));
  }

  private async node(nodeId: number): Promise<NodeEntity> {
    try {
      return await this.nodes.get(nodeId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found') throw gone();
      throw error;
    }
  }

  private facts(node: NodeEntity): SettingFacts {
    return {
      remoteEndpoint: node.publicIpv4 ?? node.publicIpv6 ?? '',
      appIp: this.config.HOST,
      appPort: String(this.config.PORT),
      appPrefix: this.config.WGD_APP_PREFIX,
      email: emailSettings(this.config),
    };
  }
}

/** The Email section from the environment: what upstream's ini would hold, without the password. */
function emailSettings(config: AppConfig): EmailSettings {
  return {
    server: config.SMTP_HOST ?? '',
    port: config.SMTP_PORT === undefined ? '' : String(config.SMTP_PORT),
    encryption: config.SMTP_ENCRYPTION ?? '',
    username: config.SMTP_USERNAME ?? '',
    send_from: config.SMTP_FROM ?? '',
  };
}

/** A key whose node was deleted is gone with it (ON DELETE CASCADE); its grant may outlive it a few seconds in the cache. */
function gone(): WgdHttpError {
  return new WgdHttpError(401, 'API Key does not exist');
}
