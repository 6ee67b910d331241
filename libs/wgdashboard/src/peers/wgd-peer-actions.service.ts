import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditActor } from '@wgfleet/audit';
import { OperatorPeers, PeerTelemetry, type UserEntity } from '@wgfleet/peers';
import { dnsEntriesOf, networksOf } from '@wgfleet/wireguard';
import { refusalOf, type Refusable } from '../fleet-refusal.js';
import type { PlannedPeer } from './add-peers-plan.js';
import { WgdPeerEntity } from './wgd-peer.entity.js';
import type { WgdConfigurationRef, WgdPeerRecord } from './wgd-peers.service.js';

/** A peer's settings after updatePeerSettings, already checked (notes §2.18): a planned peer's, but its key and endpoint. */
export type PeerSettingsChange = Omit<PlannedPeer, 'publicKey' | 'remoteEndpoint'>;

/**
 * What WGDashboard does to peers, written through the peers module's OperatorPeers (one
 * transaction each, the server's generation bumped, so the reconciler pushes it) with this
 * module's `wgd_peer` row in the same transaction.
 */
@Injectable()
export class WgdPeerActions {
  constructor(
    private readonly operatorPeers: OperatorPeers,
    private readonly telemetry: PeerTelemetry,
  ) {}

  async add(actor: AuditActor, configuration: WgdConfigurationRef, peers: PlannedPeer[]): Promise<Refusable<UserEntity[]>> {
    return refusalOf(() =>
      this.operatorPeers.create(
        actor,
        configuration.server.id,
        peers.map((peer) => ({
          name: peer.name,
          publicKey: peer.publicKey,
          privateKey: peer.privateKey,
          presharedKey: peer.presharedKey,
          ipv4: peer.ipv4,
          ipv6: peer.ipv6,
          routedIps: peer.routedIps,
          dns: dnsEntriesOf('DNS', peer.dns),
          allowedIps: networksOf('endpoint_allowed_ip', peer.endpointAllowedIp),
          persistentKeepalive: peer.keepalive,
        })),
        async (manager, users) => {
          await manager.insert(
            WgdPeerEntity,
            users.map((user, index) => extraRow(user.id, peers[index]!)),
          );
        },
      ),
    );
  }

  async update(actor: AuditActor, configuration: WgdConfigurationRef, record: WgdPeerRecord, change: PeerSettingsChange): Promise<Refusable<UserEntity | null>> {
    return refusalOf(() =>
      this.operatorPeers.update(
        actor,
        configuration.server.id,
        record.user.id,
        {
          name: change.name,
          privateKey: change.privateKey,
          presharedKey: change.presharedKey,
          ipv4: change.ipv4,
          ipv6: change.ipv6,
          routedIps: change.routedIps,
          dns: dnsEntriesOf('DNS', change.dns),
          allowedIps: networksOf('endpoint_allowed_ip', change.endpointAllowedIp),
          persistentKeepalive: change.keepalive,
        },
        async (manager: EntityManager, user) => {
          await manager.upsert(WgdPeerEntity, extraRow(user.id, { ...change, remoteEndpoint: record.source.remoteEndpoint }), ['userId']);
        },
      ),
    );
  }

  async restrict(actor: AuditActor, configuration: WgdConfigurationRef, records: WgdPeerRecord[]): Promise<number[]> {
    return this.operatorPeers.setRestricted(actor, configuration.server.id, records.map((record) => record.user.id), true);
  }

  async allow(actor: AuditActor, configuration: WgdConfigurationRef, records: WgdPeerRecord[]): Promise<number[]> {
    return this.operatorPeers.setRestricted(actor, configuration.server.id, records.map((record) => record.user.id), false);
  }

  /**
   * Zeroes the peer's counted traffic, received, sent or both (upstream zeroes its stored totals and
   * re-adds the peer to restart the node's counters; the poller's totals make that unneeded here).
   */
  async resetTraffic(record: WgdPeerRecord, which: 'receive' | 'sent' | 'total'): Promise<void> {
    await this.telemetry.resetTraffic(record.user.id, which);
  }

  async delete(actor: AuditActor, configuration: WgdConfigurationRef, records: WgdPeerRecord[]): Promise<number[]> {
    return this.operatorPeers.delete(actor, configuration.server.id, records.map((record) => record.user.id));
  }
}

function extraRow(userId: number, peer: Pick<PlannedPeer, 'dns' | 'endpointAllowedIp' | 'mtu' | 'remoteEndpoint'>): WgdPeerEntity {
  return { userId, dns: peer.dns, endpointAllowedIp: peer.endpointAllowedIp, mtu: peer.mtu, remoteEndpoint: peer.remoteEndpoint };
}
