import { injectionsInto } from '../../../test/support/injection-payloads.js';
import { renderClientConfig, type ClientConfig } from './client-config.js';
import { WireguardInputError } from './errors.js';
import { portForwardChains, renderPortForwardRules, type PortForwardSet } from './port-forward-rules.js';
import { renderServerPeers, type ServerPeerSet } from './server-peers.js';
import { renderWgdashboardPeerFile, type WgdashboardPeerFile } from './wgdashboard-peer-file.js';

// Every renderer of text pushed to a node or handed to a client, fed a valid value with a line
// break (LF, CR, CRLF, NEL, U+2028…), a NUL or a `#` appended in each interpolated field: each
// must throw, whoever calls it, so no stored or requested value can add a line.

const key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');

type Field<T> = readonly [name: string, valid: string | number, set: (input: T, value: string) => T];
interface RendererCase<T> {
  name: string;
  render: (input: T) => string;
  base: T;
  fields: ReadonlyArray<Field<T>>;
}

const client: RendererCase<ClientConfig> = {
  name: 'renderClientConfig',
  render: renderClientConfig,
  base: {
    privateKey: key(1),
    addresses: ['10.8.0.2/32', 'fd42:66:1::2/128'],
    dns: ['1.1.1.1', 'corp.example'],
    mtu: 1420,
    peer: { publicKey: key(2), presharedKey: key(3), endpoint: 'vpn.example.com:51820', allowedIps: ['0.0.0.0/0'], persistentKeepalive: 25 },
  },
  fields: [
    ['privateKey', key(1), (c, v) => ({ ...c, privateKey: v })],
    ['addresses[1]', 'fd42:66:1::2/128', (c, v) => ({ ...c, addresses: [c.addresses[0]!, v] })],
    ['dns[1]', 'corp.example', (c, v) => ({ ...c, dns: [c.dns[0]!, v] })],
    ['mtu', 1420, (c, v) => ({ ...c, mtu: v as unknown as number })],
    ['peer.publicKey', key(2), (c, v) => ({ ...c, peer: { ...c.peer, publicKey: v } })],
    ['peer.presharedKey', key(3), (c, v) => ({ ...c, peer: { ...c.peer, presharedKey: v } })],
    ['peer.endpoint', 'vpn.example.com:51820', (c, v) => ({ ...c, peer: { ...c.peer, endpoint: v } })],
    ['peer.allowedIps[0]', '0.0.0.0/0', (c, v) => ({ ...c, peer: { ...c.peer, allowedIps: [v] } })],
    ['peer.persistentKeepalive', 25, (c, v) => ({ ...c, peer: { ...c.peer, persistentKeepalive: v as unknown as number } })],
  ],
};

const serverPeers: RendererCase<ServerPeerSet> = {
  name: 'renderServerPeers',
  render: renderServerPeers,
  base: { privateKey: key(1), listenPort: 51820, peers: [{ publicKey: key(2), presharedKey: key(3), allowedIps: ['10.8.0.2/32'] }] },
  fields: [
    ['privateKey', key(1), (s, v) => ({ ...s, privateKey: v })],
    ['listenPort', 51820, (s, v) => ({ ...s, listenPort: v as unknown as number })],
    ['peers[0].publicKey', key(2), (s, v) => ({ ...s, peers: [{ ...s.peers[0]!, publicKey: v }] })],
    ['peers[0].presharedKey', key(3), (s, v) => ({ ...s, peers: [{ ...s.peers[0]!, presharedKey: v }] })],
    ['peers[0].allowedIps[0]', '10.8.0.2/32', (s, v) => ({ ...s, peers: [{ ...s.peers[0]!, allowedIps: [v] }] })],
  ],
};

const forwards: RendererCase<PortForwardSet> = {
  name: 'renderPortForwardRules',
  render: renderPortForwardRules,
  base: {
    interfaceName: 'wg0',
    serverTunnelIp: '10.8.0.1',
    forwards: [{ id: 7, publicIp: '198.18.1.2', externalPort: 8080, targetIp: '10.8.0.2', internalPort: 80, protocol: 'tcp' }],
  },
  fields: [
    ['interfaceName', 'wg0', (s, v) => ({ ...s, interfaceName: v })],
    ['serverTunnelIp', '10.8.0.1', (s, v) => ({ ...s, serverTunnelIp: v })],
    ['forwards[0].id', 7, (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, id: v as unknown as number }] })],
    ['forwards[0].publicIp', '198.18.1.2', (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, publicIp: v }] })],
    ['forwards[0].externalPort', 8080, (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, externalPort: v as unknown as number }] })],
    ['forwards[0].targetIp', '10.8.0.2', (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, targetIp: v }] })],
    ['forwards[0].internalPort', 80, (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, internalPort: v as unknown as number }] })],
    ['forwards[0].protocol', 'tcp', (s, v) => ({ ...s, forwards: [{ ...s.forwards[0]!, protocol: v as 'tcp' }] })],
  ],
};

const chains: RendererCase<string> = {
  name: 'portForwardChains',
  render: (name) => portForwardChains(name).map((jump) => jump.chain).join('\n'),
  base: 'wg0',
  fields: [['interfaceName', 'wg0', (_name, v) => v]],
};

const wgdashboardFile: RendererCase<WgdashboardPeerFile> = {
  name: 'renderWgdashboardPeerFile',
  render: renderWgdashboardPeerFile,
  base: {
    privateKey: key(1),
    allowedIp: '10.66.7.2/32',
    mtu: 1420,
    dns: '1.1.1.1, corp.example',
    serverPublicKey: key(2),
    endpointAllowedIp: '0.0.0.0/0',
    remoteEndpoint: 'vpn.example.com',
    listenPort: 51820,
    keepalive: 21,
    presharedKey: key(3),
  },
  fields: (['privateKey', 'allowedIp', 'mtu', 'dns', 'serverPublicKey', 'endpointAllowedIp', 'remoteEndpoint', 'listenPort', 'keepalive', 'presharedKey'] as const).map(
    (name): Field<WgdashboardPeerFile> => [name, 0, (f, v) => ({ ...f, [name]: v })],
  ),
};
// The WGDashboard file's valid values are its base's own.
const wgdashboardFields = wgdashboardFile.fields.map(([name, , set]): Field<WgdashboardPeerFile> => [name, wgdashboardFile.base[name as keyof WgdashboardPeerFile], set]);

const renderers = [client, serverPeers, forwards, chains, { ...wgdashboardFile, fields: wgdashboardFields }] as Array<RendererCase<unknown>>;

describe.each(renderers.map((renderer) => [renderer.name, renderer] as const))('%s refuses a line break, NUL or "#" in any value', (_name, renderer) => {
  it('renders its valid input, every field included', () => {
    const text = renderer.render(renderer.base);
    for (const [, valid] of renderer.fields) expect(text).toContain(String(valid));
  });

  const cases = renderer.fields.flatMap(([field, valid, set]) => injectionsInto(String(valid)).map(([what, value]) => [field, what, set, value] as const));
  it.each(cases)('%s with %s', (_field, _what, set, value) => {
    expect(() => renderer.render(set(renderer.base, value))).toThrow(WireguardInputError);
  });
});
