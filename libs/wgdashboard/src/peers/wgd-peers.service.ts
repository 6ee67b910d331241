import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { OperatorPeers, PeersService, PeerTelemetry, type UserEntity, type UserSecrets } from '@wgfleet/peers';
import { clientDnsOf, forcedClientDns, type ServerEntity } from '@wgfleet/servers';
import { renderWgdashboardPeerFile, WireguardInputError } from '@wgfleet/wireguard';
import { WgdHttpError } from '../wgd-result.js';
import { WgdSettings, type WgdPeerDefaults } from '../settings/wgd-settings.service.js';
import { WgdConfigurations } from '../wgd-configurations.service.js';
import { PEER_ANNOTATORS, type PeerAnnotator } from './peer-annotations.js';
import { peerFileName } from './peer-download.js';
import { WgdPeerEntity } from './wgd-peer.entity.js';
import { toWgdPeer, type PeerObservation, type WgdPeerSource } from './wgd-peer-view.js';

/** A configuration of the key's node: its server, and its object as upstream serialises it (§1.8.1). */
export interface WgdConfigurationRef {
  nodeId: number;
  server: ServerEntity;
  json: Record<string, unknown>;
}

/** One peer of a configuration with everything its views need. */
export interface WgdPeerRecord {
  user: UserEntity;
  source: WgdPeerSource;
  /** Where a downloaded file dials: the server's endpoint host, else the node's `remote_endpoint` setting now. */
  endpointHost: string;
}

/** A peer's downloadable file (notes §2.27). */
export interface WgdPeerFile {
  fileName: string;
  file: string;
}

/** The file, or why it is not served. */
export type PeerFileOutcome = { ok: true; value: WgdPeerFile } | { ok: false; message: string };

const NEVER_SEEN: PeerObservation = { rxRaw: 0, txRaw: 0, rxTotal: 0, txTotal: 0, latestHandshakeAt: null, endpoint: null, seen: false };

/**
 * The peers of a node's configurations as WGDashboard sees them: the server's users (the portal's
 * and the operator's own), with what only WGDashboard keeps about them (`wgd_peer`), their keys,
 * and the poller's traffic.
 */
@Injectable()
export class WgdPeers {
  constructor(
    @InjectRepository(WgdPeerEntity) private readonly extras: Repository<WgdPeerEntity>,
    private readonly configurationObjects: WgdConfigurations,
    private readonly operatorPeers: OperatorPeers,
    private readonly peers: PeersService,
    private readonly telemetry: PeerTelemetry,
    private readonly settings: WgdSettings,
    @Inject(PEER_ANNOTATORS) private readonly annotators: PeerAnnotator[],
  ) {}

  /** The node's configuration of that name, or null. */
  async configuration(nodeId: number, name: unknown): Promise<WgdConfigurationRef | null> {
    const record = await this.configurationObjects.find(nodeId, name);
    if (!record) return null;
    const [json] = await this.configurationObjects.objects([record]);
    return { nodeId, server: record.server, json: json! };
  }

  /** Every configuration of the node, in upstream's listing order. */
  async configurations(nodeId: number): Promise<WgdConfigurationRef[]> {
    const records = await this.configurationObjects.records(nodeId);
    const objects = await this.configurationObjects.objects(records);
    return records.map((record, index) => ({ nodeId, server: record.server, json: objects[index]! }));
  }

  /** The configuration's peers, oldest first, restricted ones included (`source.restricted`). */
  async records(configuration: WgdConfigurationRef): Promise<WgdPeerRecord[]> {
    const users = await this.operatorPeers.onServer(configuration.server.id);
    return this.recordsOf(configuration, users);
  }

  /** Records for these users of the configuration's server, in their order. */
  async recordsOf(configuration: WgdConfigurationRef, users: UserEntity[]): Promise<WgdPeerRecord[]> {
    if (users.length === 0) return [];
    const ids = users.map((user) => user.id);
    const now = new Date();
    const [extras, secrets, traffic, defaults, annotations] = await Promise.all([
      this.extras.findBy({ userId: In(ids) }),
      this.peers.secretsOfUsers(users),
      this.telemetry.trafficByServer([configuration.server.id], 'all'),
      this.settings.peerDefaults(configuration.nodeId),
      Promise.all(this.annotators.map(async (annotator) => ({ field: annotator.field, byKey: await annotator.forConfiguration(configuration, now) }))),
    ]);
    const annotated = (field: PeerAnnotator['field'], publicKey: string) =>
      annotations.filter((annotation) => annotation.field === field).flatMap((annotation) => annotation.byKey.get(publicKey) ?? []);
    const extraOf = new Map(extras.map((extra) => [extra.userId, extra]));
    const observed = new Map((traffic.get(configuration.server.id) ?? []).map((peer) => [peer.userId, peer]));
    const endpointHost = configuration.server.endpointHost ?? defaults.remoteEndpoint;
    return users.map((user) => ({
      user,
      source: {
        ...sourceOf(user, configuration.server, extraOf.get(user.id) ?? null, secrets.get(user.id)!, observed.get(user.id) ?? NEVER_SEEN, defaults),
        shareLinks: annotated('ShareLink', user.publicKey),
        jobs: annotated('jobs', user.publicKey),
      },
      endpointHost,
    }));
  }

  /** The peer of that public key on the configuration, or null. */
  async record(configuration: WgdConfigurationRef, publicKey: unknown): Promise<WgdPeerRecord | null> {
    if (typeof publicKey !== 'string' || publicKey === '') return null;
    const user = await this.operatorPeers.findOnServer(configuration.server.id, publicKey);
    return user ? ((await this.recordsOf(configuration, [user]))[0] ?? null) : null;
  }

  /** Upstream's peer objects for these records (configuration embedded in each). */
  toJson(configuration: WgdConfigurationRef, records: WgdPeerRecord[], now = new Date()): Array<Record<string, unknown>> {
    return records.map((record) => toWgdPeer(record.source, configuration.json, now));
  }

  /**
   * The peer's wg-quick file and its name, as downloadPeer answers them; refused (never served) when
   * a stored value is not what its line holds: a value stored before wgfleet checked it, such as a
   * DNS with a line break that would add `PostUp = …` to the client's file.
   */
  fileOf(configuration: WgdConfigurationRef, record: WgdPeerRecord): PeerFileOutcome {
    const { source } = record;
    try {
      // Upstream writes the remote_endpoint setting of the moment, not the one stored with the peer.
      const file = renderWgdashboardPeerFile({ ...source, remoteEndpoint: record.endpointHost, serverPublicKey: configuration.server.publicKey, listenPort: configuration.server.listenPort });
      return { ok: true, value: { fileName: peerFileName(source.name), file } };
    } catch (error) {
      if (!(error instanceof WireguardInputError)) throw error;
      const fix = error.field.startsWith('remote_endpoint')
        ? 'correct the remote_endpoint setting with updateDashboardConfigurationItem'
        : 'correct the peer with updatePeerSettings';
      return { ok: false, message: `Peer ${source.publicKey} cannot be downloaded: ${error.message} (a value stored before it was checked); ${fix}` };
    }
  }

  /**
   * What an e-mail template may use (notes §2.50): the peer object and its file, plain data only.
   * The e-mail part of this module calls it.
   */
  async templateContext(
    nodeId: number,
    configurationName: string,
    peerId: string,
  ): Promise<{ peer: Record<string, unknown>; configurationFile: WgdPeerFile } | 'no-configuration' | 'no-peer'> {
    const configuration = await this.configuration(nodeId, configurationName);
    if (!configuration) return 'no-configuration';
    const record = await this.record(configuration, peerId);
    if (!record || record.source.restricted) return 'no-peer';
    const file = this.fileOf(configuration, record);
    // The e-mail routes' lookups know no refusal of their own: the same message, as a 400 envelope.
    if (!file.ok) throw new WgdHttpError(400, file.message);
    return { peer: this.toJson(configuration, [record])[0]!, configurationFile: file.value };
  }
}

/**
 * A peer in upstream's spelling. An operator's peer reads its WGDashboard settings as typed; a
 * portal user, which has none, reads them from the user and its server.
 */
function sourceOf(
  user: UserEntity,
  server: ServerEntity,
  extra: WgdPeerEntity | null,
  secrets: UserSecrets,
  observation: PeerObservation,
  defaults: WgdPeerDefaults,
): WgdPeerSource {
  return {
    publicKey: user.publicKey,
    name: user.clientName,
    privateKey: secrets.privateKey ?? '',
    presharedKey: secrets.presharedKey ?? '',
    allowedIp: allowedIpOf(user),
    // A server resolving over TLS puts its own resolver in every peer's file, the operator's peers' too.
    dns: forcedClientDns(server)?.join(',') ?? extra?.dns ?? clientDnsOf(server, user.dns).join(','),
    endpointAllowedIp: extra?.endpointAllowedIp ?? user.allowedIps.join(', '),
    mtu: extra?.mtu ?? server.mtu ?? defaults.mtu,
    keepalive: user.persistentKeepalive,
    remoteEndpoint: extra?.remoteEndpoint ?? server.endpointHost ?? defaults.remoteEndpoint,
    restricted: user.restrictedAt !== null,
    blocked: user.accessState === 'blocked',
    observation,
    // Filled by the PEER_ANNOTATORS.
    shareLinks: [],
    jobs: [],
  };
}

/** `10.0.0.2/32`, `10.0.0.2/32, fd42::2/128`, then any routed networks, as upstream joins them. */
export function allowedIpOf(user: Pick<UserEntity, 'ipv4' | 'ipv6' | 'routedIps'>): string {
  return [`${user.ipv4}/32`, ...(user.ipv6 === null ? [] : [`${user.ipv6}/128`]), ...user.routedIps].join(', ');
}
