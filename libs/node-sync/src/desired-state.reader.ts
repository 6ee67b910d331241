import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { PeersService } from '@wgfleet/peers';
import { PortForwardsService } from '@wgfleet/port-forwards';
import { nodeKeyContext, serverKeyContext, ServerRemovals, ServerSyncRecords, type NodeEntity, type PendingRemoval } from '@wgfleet/servers';
import { ifbDeviceName, NODE_RUNTIME_DIRECTORY, parseCidr, renderDnsForwarderConfig, renderPortForwardRules, renderServerPeers, renderShapingBatch, serverAddress } from '@wgfleet/wireguard';
import type { DesiredServerState, NodeTarget } from './node-driver.js';

export interface PollTargets {
  targets: Array<{ serverId: number; interfaceName: string; target: NodeTarget }>;
  unreadable: Array<{ nodeId: number; name: string; reason: string }>;
}

/** One consistent picture of what a server must be, taken at generation `generation`. */
export interface DesiredSnapshot {
  serverId: number;
  generation: number;
  /** What the node held as of the last recorded push (a pass may skip a server already current). */
  appliedGeneration: number;
  target: NodeTarget;
  desired: DesiredServerState;
  /** False: the interface must be off the node (the server is switched off); `desired` is still rendered. */
  enabled: boolean;
  /** Old interfaces of this server (renamed) still on the node: removed before the push. */
  removals: PendingRemoval[];
  /**
   * The users and forwards in this picture: the ones a successful push makes `active`. Users kept
   * off the node (restricted, blocked, suspended) are in it too: the push settles them as well.
   */
  userIds: number[];
  forwardIds: number[];
}

/**
 * Reads a server's desired state in one REPEATABLE READ, READ ONLY transaction, so the
 * generation, peers and forwards belong to the same committed moment, and renders it with the
 * pure core. Secrets are opened here and live only in memory until the push.
 */
@Injectable()
export class DesiredStateReader {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
    private readonly peers: PeersService,
    private readonly forwards: PortForwardsService,
    private readonly records: ServerSyncRecords,
    private readonly removals: ServerRemovals,
  ) {}

  /** The snapshot, or null when the server no longer exists. */
  async read(serverId: number): Promise<DesiredSnapshot | null> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const manager = runner.manager;
      const found = await this.records.forPush(manager, serverId);
      if (!found) {
        await runner.commitTransaction();
        return null;
      }
      const { server, node } = found;
      const { peers, offNodeUserIds } = await this.peers.pushSetOf(manager, serverId);
      const forwards = await this.forwards.desiredForwardsOf(manager, serverId);
      const removals = await this.removals.pendingOf(manager, serverId);
      await runner.commitTransaction();

      const subnets = [server.ipv4Subnet, ...(server.ipv6Subnet ? [server.ipv6Subnet] : [])];
      const ownIpv4 = serverAddress(server.ipv4Subnet);
      const desired: DesiredServerState = {
        interfaceName: server.interface,
        addresses: subnets.map((subnet) => `${serverAddress(subnet)}/${parseCidr(subnet, 'subnet').prefix}`),
        mtu: server.mtu,
        tunnelSubnets: subnets,
        peersConfig: renderServerPeers({
          privateKey: this.box.open(server.privateKeyEnc, serverKeyContext(server.publicKey)),
          listenPort: server.listenPort,
          peers: peers.map((peer) => ({
            publicKey: peer.publicKey,
            presharedKey: peer.presharedKey,
            // Only the user's own addresses: the client's AllowedIPs (0.0.0.0/0…) are its routing, not ours.
            allowedIps: [...hostAddressesOf(peer), ...peer.routedIps],
          })),
        }),
        forwardRules: renderPortForwardRules({ interfaceName: server.interface, serverTunnelIp: ownIpv4, forwards }),
        shaping: {
          ifbName: ifbDeviceName(server.interface),
          batch: renderShapingBatch({
            interfaceName: server.interface,
            peers: peers
              .filter((peer) => peer.downloadKbit !== null || peer.uploadKbit !== null)
              .map((peer) => ({
                addresses: hostAddressesOf(peer),
                downloadKbit: peer.downloadKbit,
                uploadKbit: peer.uploadKbit,
              })),
          }),
        },
        dnsForwarderConfig:
          server.dnsMode === 'tls'
            ? renderDnsForwarderConfig({
                interfaceName: server.interface,
                tunnelIpv4: ownIpv4,
                tunnelIpv6: server.ipv6Subnet ? serverAddress(server.ipv6Subnet) : null,
                allowedSubnets: subnets,
                upstreams: (server.dnsTlsResolvers ?? []).map((r) => ({ address: r.address, tlsName: r.tls_name, port: r.port })),
                runtimeDirectory: NODE_RUNTIME_DIRECTORY,
              })
            : null,
      };
      return {
        serverId,
        generation: server.desiredGeneration,
        appliedGeneration: server.appliedGeneration,
        target: this.targetOf(node),
        desired,
        enabled: server.enabled,
        removals,
        userIds: [...peers.map((peer) => peer.id), ...offNodeUserIds],
        forwardIds: forwards.map((forward) => forward.id),
      };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /**
   * The servers `inScope` accepts, each with the node it lives on. A node whose SSH details cannot
   * be opened (a key sealed under another master key, say) is reported in `unreadable` and its
   * servers left out, so one bad row never stops the others from being polled.
   */
  async pollTargets(inScope: (serverId: number) => boolean): Promise<PollTargets> {
    const servers = (await this.records.interfaces()).filter((server) => inScope(server.id));
    if (servers.length === 0) return { targets: [], unreadable: [] };
    const nodes = await this.records.nodesWithKeys([...new Set(servers.map((server) => server.nodeId))]);
    const targets = new Map<number, NodeTarget>();
    const unreadable: PollTargets['unreadable'] = [];
    for (const node of nodes) {
      try {
        targets.set(node.id, this.targetOf(node));
      } catch (error) {
        unreadable.push({ nodeId: node.id, name: node.name, reason: (error as Error).message });
      }
    }
    return {
      targets: servers.flatMap((server) => {
        const target = targets.get(server.nodeId);
        return target ? [{ serverId: server.id, interfaceName: server.interface, target }] : [];
      }),
      unreadable,
    };
  }

  /** How to reach one node (its secret opened), or null when it no longer exists. */
  async targetOfNode(nodeId: number): Promise<NodeTarget | null> {
    const node = await this.records.nodeWithKey(nodeId);
    return node ? this.targetOf(node) : null;
  }

  private targetOf(node: NodeEntity): NodeTarget {
    if (node.transport === 'local') return { nodeId: node.id, name: node.name, transport: 'local', ssh: null };
    if (!node.sshHost || !node.sshPort || !node.sshUsername || !node.sshPrivateKeyEnc || !node.sshHostKey) {
      // The schema's node_ssh_details check makes this unreachable; fail loudly rather than push half-configured.
      throw new Error(`node ${node.name} has incomplete SSH details`);
    }
    return {
      nodeId: node.id,
      name: node.name,
      transport: 'ssh',
      ssh: {
        host: node.sshHost,
        port: node.sshPort,
        username: node.sshUsername,
        privateKey: this.box.open(node.sshPrivateKeyEnc, nodeKeyContext(node.name)),
        hostKey: node.sshHostKey,
      },
    };
  }
}

/** A peer's own tunnel addresses as host routes: what the node routes to it and shapes by. */
function hostAddressesOf(peer: { ipv4: string; ipv6: string | null }): string[] {
  return [`${peer.ipv4}/32`, ...(peer.ipv6 ? [`${peer.ipv6}/128`] : [])];
}
