import { WireguardInputError } from './errors.js';
import { renderServerPeers, type ServerPeerSet } from './server-peers.js';

const key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');
const SERVER_KEY = key(1);

const TWO_PEERS: ServerPeerSet = {
  privateKey: SERVER_KEY,
  listenPort: 51820,
  peers: [
    { publicKey: key(2), presharedKey: key(3), allowedIps: ['10.8.0.2/32', 'fd42:66:1::2/128'] },
    { publicKey: key(4), presharedKey: null, allowedIps: ['10.8.0.3/32'] },
  ],
};

const TWO_PEERS_TEXT = `[Interface]
PrivateKey = ${SERVER_KEY}
ListenPort = 51820

[Peer]
PublicKey = ${key(2)}
PresharedKey = ${key(3)}
AllowedIPs = 10.8.0.2/32, fd42:66:1::2/128

[Peer]
PublicKey = ${key(4)}
AllowedIPs = 10.8.0.3/32
`;

function withPeers(peers: unknown[]): ServerPeerSet {
  return { ...TWO_PEERS, peers: peers as ServerPeerSet['peers'] };
}

describe('renderServerPeers', () => {
  it.each([
    ['two peers, one with a preshared key', TWO_PEERS, TWO_PEERS_TEXT],
    ['no peers', withPeers([]), `[Interface]\nPrivateKey = ${SERVER_KEY}\nListenPort = 51820\n`],
    [
      'a peer without allowed IPs (no AllowedIPs line)',
      withPeers([{ publicKey: key(2), presharedKey: null, allowedIps: [] }]),
      `[Interface]\nPrivateKey = ${SERVER_KEY}\nListenPort = 51820\n\n[Peer]\nPublicKey = ${key(2)}\n`,
    ],
    [
      'peers in the given order, IPv6 canonicalised',
      withPeers([
        { publicKey: key(9), presharedKey: null, allowedIps: ['FD42:66:1:0::9/128'] },
        { publicKey: key(8), presharedKey: null, allowedIps: ['10.8.0.8/32'] },
      ]),
      `[Interface]\nPrivateKey = ${SERVER_KEY}\nListenPort = 51820\n\n[Peer]\nPublicKey = ${key(9)}\nAllowedIPs = fd42:66:1::9/128\n\n[Peer]\nPublicKey = ${key(8)}\nAllowedIPs = 10.8.0.8/32\n`,
    ],
  ])('renders %s', (_case, set, text) => {
    expect(renderServerPeers(set)).toBe(text);
  });

  it.each([
    ['set', null],
    ['privateKey', { ...TWO_PEERS, privateKey: 'nope' }],
    ['listenPort', { ...TWO_PEERS, listenPort: 0 }],
    ['listenPort', { ...TWO_PEERS, listenPort: '51820' }],
    ['peers', { ...TWO_PEERS, peers: undefined }],
    ['peers[0]', withPeers([null])],
    ['peers[0].publicKey', withPeers([{ publicKey: `${key(2)}\n[Peer]`, presharedKey: null, allowedIps: [] }])],
    ['peers[0].presharedKey', withPeers([{ publicKey: key(2), presharedKey: 'x', allowedIps: [] }])],
    ['peers[0].allowedIps', withPeers([{ publicKey: key(2), presharedKey: null, allowedIps: '10.8.0.2/32' }])],
    ['peers[0].allowedIps[0]', withPeers([{ publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.2'] }])],
    ['peers[0].allowedIps[0]', withPeers([{ publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.2/24'] }])],
    ['peers[0].allowedIps[1]', withPeers([{ publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.2/32', '10.8.0.2/32'] }])],
  ])('refuses a bad %s', (field, set) => {
    expect(() => renderServerPeers(set as ServerPeerSet)).toThrow(WireguardInputError);
    expect(() => renderServerPeers(set as ServerPeerSet)).toThrow(expect.objectContaining({ field }));
  });

  it.each([
    [
      'a public key used by two peers',
      [
        { publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.2/32'] },
        { publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.3/32'] },
      ],
      'peers[1].publicKey',
      'peers[0] and peers[1] both have the public key',
    ],
    [
      'an allowed IP claimed by a later peer (WireGuard would move the route to it)',
      [
        { publicKey: key(2), presharedKey: null, allowedIps: ['10.8.0.2/32'] },
        { publicKey: key(3), presharedKey: null, allowedIps: ['10.8.0.9/32'] },
        { publicKey: key(4), presharedKey: null, allowedIps: ['10.8.0.4/32', '10.8.0.2/32'] },
      ],
      'peers[2].allowedIps[1]',
      'peers[0] and peers[2] both have allowed IP 10.8.0.2/32',
    ],
    [
      'the same IPv6 allowed IP in two spellings',
      [
        { publicKey: key(2), presharedKey: null, allowedIps: ['fd42::2/128'] },
        { publicKey: key(3), presharedKey: null, allowedIps: ['FD42:0::2/128'] },
      ],
      'peers[1].allowedIps[0]',
      'both have allowed IP fd42::2/128',
    ],
  ])('refuses %s', (_case, peers, field, message) => {
    expect(() => renderServerPeers(withPeers(peers))).toThrow(message);
    expect(() => renderServerPeers(withPeers(peers))).toThrow(expect.objectContaining({ field }));
  });

  it('renders 10,000 peers with one [Peer] block each', () => {
    const peers = Array.from({ length: 10_000 }, (_, i) => ({
      publicKey: Buffer.alloc(32, i).fill(i >> 8, 0, 1).toString('base64'),
      presharedKey: null,
      allowedIps: [`10.20.${(i + 2) >> 8}.${(i + 2) & 255}/32`],
    }));
    const text = renderServerPeers(withPeers(peers));
    expect(text.split('\n[Peer]\n')).toHaveLength(10_001);
    expect(text.endsWith(`AllowedIPs = 10.20.39.17/32\n`)).toBe(true);
  });
});
