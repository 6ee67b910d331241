import { Injectable } from '@nestjs/common';
import { PeerTelemetry } from '@wgfleet/peers';
import { ServersService } from '@wgfleet/servers';
import { parseCidr, serverAddress } from '@wgfleet/wireguard';
import { toWgdConfiguration } from './wgd-configuration.js';

/** A node's servers as WGDashboard configurations: the same rows the portal shows, seen through its shapes. */
@Injectable()
export class WgdConfigurations {
  constructor(
    private readonly servers: ServersService,
    private readonly telemetry: PeerTelemetry,
  ) {}

  /** Every configuration of the node, by name (upstream lists its scan of the folder, sorted). */
  async list(nodeId: number, now = new Date()): Promise<Array<Record<string, unknown>>> {
    const servers = await this.servers.onNodeWithPrivateKeys(nodeId);
    const ids = servers.map(({ server }) => server.id);
    const [traffic, interfaces] = await Promise.all([this.telemetry.trafficByServer(ids), this.telemetry.interfacesOf(ids)]);
    return servers.map(({ server, privateKey }) =>
      toWgdConfiguration(
        {
          interfaceName: server.interface,
          privateKey,
          publicKey: server.publicKey,
          addresses: [server.ipv4Subnet, ...(server.ipv6Subnet ? [server.ipv6Subnet] : [])].map(
            (subnet) => `${serverAddress(subnet)}/${parseCidr(subnet, 'subnet').prefix}`,
          ),
          listenPort: server.listenPort,
          interfaceUp: interfaces.get(server.id) === 'up',
          peers: traffic.get(server.id) ?? [],
        },
        now,
      ),
    );
  }
}
