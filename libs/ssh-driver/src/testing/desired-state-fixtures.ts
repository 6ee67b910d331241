import type { DesiredServerState } from '@wgfleet/node-sync';
import {
  generateKeyPair,
  ifbDeviceName,
  NODE_RUNTIME_DIRECTORY,
  renderDnsForwarderConfig,
  renderPortForwardRules,
  renderServerPeers,
  renderShapingBatch,
} from '@wgfleet/wireguard';

// One server's desired state for the push-script specs (never exported from the lib's index):
// wg0 with v4 and v6 subnets, one peer, one port forward; limits and a resolver to add.

const keys = generateKeyPair();
const peer = generateKeyPair();

/** renderShapingBatch output for the one peer limited to 8/4 Mbit/s, v4 and v6. */
export const limitedBatch = renderShapingBatch({
  interfaceName: 'wg0',
  peers: [{ addresses: ['10.66.1.2/32', 'fd42:66:1::2/128'], downloadKbit: 8_000, uploadKbit: 4_000 }],
});

export const limitedShaping = { ifbName: ifbDeviceName('wg0'), batch: limitedBatch };

/** renderDnsForwarderConfig output for wg0's tunnel addresses. */
export const dnsConfig = renderDnsForwarderConfig({
  interfaceName: 'wg0',
  tunnelIpv4: '10.66.1.1',
  tunnelIpv6: 'fd42:66:1::1',
  allowedSubnets: ['10.66.1.0/24', 'fd42:66:1::/64'],
  upstreams: [{ address: '1.1.1.1', tlsName: 'cloudflare-dns.com' }],
  runtimeDirectory: NODE_RUNTIME_DIRECTORY,
});

export function desiredState(overrides: Partial<DesiredServerState> = {}): DesiredServerState {
  return {
    interfaceName: 'wg0',
    addresses: ['10.66.1.1/24', 'fd42:66:1::1/64'],
    mtu: 1420,
    tunnelSubnets: ['10.66.1.0/24', 'fd42:66:1::/64'],
    shaping: { ifbName: ifbDeviceName('wg0'), batch: renderShapingBatch({ interfaceName: 'wg0', peers: [] }) },
    dnsForwarderConfig: null,
    peersConfig: renderServerPeers({
      privateKey: keys.privateKey,
      listenPort: 51820,
      peers: [{ publicKey: peer.publicKey, presharedKey: null, allowedIps: ['10.66.1.2/32'] }],
    }),
    forwardRules: renderPortForwardRules({
      interfaceName: 'wg0',
      serverTunnelIp: '10.66.1.1',
      forwards: [{ id: 1, publicIp: '198.19.101.1', externalPort: 443, targetIp: '10.66.1.2', internalPort: 8443, protocol: 'tcp' }],
    }),
    ...overrides,
  };
}
