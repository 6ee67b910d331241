import { parseWgDump, type PeerStatus } from './dump.js';
import { WireguardInputError } from './errors.js';

const key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');
const PRIVATE_KEY = key(0x11);
const PUBLIC_KEY = key(0x22);
const INTERFACE_LINE = `${PRIVATE_KEY}\t${PUBLIC_KEY}\t51820\toff`;

const dump = (...lines: string[]): string => `${lines.join('\n')}\n`;

function thrownMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('parseWgDump', () => {
  it.each([
    ['off', null],
    ['0xca6c', 0xca6c],
    ['51820', 51820],
  ])('reads the interface line with fwmark %s and drops the private key', (fwmark, expected) => {
    const parsed = parseWgDump(dump(`${PRIVATE_KEY}\t${PUBLIC_KEY}\t51820\t${fwmark}`));
    expect(parsed).toEqual({ interface: { publicKey: PUBLIC_KEY, listenPort: 51820, fwmark: expected }, peers: [] });
    expect(JSON.stringify(parsed)).not.toContain(PRIVATE_KEY);
  });

  it('reads an interface without keys yet', () => {
    expect(parseWgDump('(none)\t(none)\t0\toff\n').interface).toEqual({ publicKey: null, listenPort: 0, fwmark: null });
  });

  it('accepts a dump without the final newline', () => {
    expect(parseWgDump(INTERFACE_LINE).interface.listenPort).toBe(51820);
  });

  it.each<[string, string, PeerStatus]>([
    [
      'a connected peer with everything set',
      `${key(1)}\t${key(2)}\t198.19.1.2:40000\t10.8.0.2/32,fd42:66:1::2/128\t1700000000\t1234\t5678\t25`,
      {
        publicKey: key(1),
        hasPresharedKey: true,
        endpoint: '198.19.1.2:40000',
        allowedIps: ['10.8.0.2/32', 'fd42:66:1::2/128'],
        latestHandshakeAt: 1700000000,
        rxBytes: 1234,
        txBytes: 5678,
        persistentKeepalive: 25,
      },
    ],
    [
      'a peer that never connected',
      `${key(3)}\t(none)\t(none)\t(none)\t0\t0\t0\toff`,
      {
        publicKey: key(3),
        hasPresharedKey: false,
        endpoint: null,
        allowedIps: [],
        latestHandshakeAt: null,
        rxBytes: 0,
        txBytes: 0,
        persistentKeepalive: null,
      },
    ],
    [
      'an IPv6 endpoint and byte counters past 2^32',
      `${key(4)}\t(none)\t[fd00:1::2]:51820\t10.8.0.4/32\t1700000001\t5000000000\t6000000000\toff`,
      {
        publicKey: key(4),
        hasPresharedKey: false,
        endpoint: '[fd00:1::2]:51820',
        allowedIps: ['10.8.0.4/32'],
        latestHandshakeAt: 1700000001,
        rxBytes: 5_000_000_000,
        txBytes: 6_000_000_000,
        persistentKeepalive: null,
      },
    ],
  ])('reads %s', (_case, line, expected) => {
    expect(parseWgDump(dump(INTERFACE_LINE, line)).peers).toEqual([expected]);
  });

  it.each([
    ['the empty string', ''],
    ['only whitespace', ' \n'],
    ['an interface line with 3 fields', dump(`${PRIVATE_KEY}\t${PUBLIC_KEY}\t51820`)],
    ['`wg show all dump` output', dump(`wg0\t${INTERFACE_LINE}`)],
    ['spaces instead of tabs', dump(INTERFACE_LINE.replace(/\t/g, ' '))],
    ['an invalid interface public key', dump(`${PRIVATE_KEY}\tnope\t51820\toff`)],
    ['a listen port above 65535', dump(`${PRIVATE_KEY}\t${PUBLIC_KEY}\t65536\toff`)],
    ['a non-numeric listen port', dump(`${PRIVATE_KEY}\t${PUBLIC_KEY}\tabc\toff`)],
    ['a bad fwmark', dump(`${PRIVATE_KEY}\t${PUBLIC_KEY}\t51820\ton`)],
  ])('refuses %s without quoting line 1 (it holds the private key)', (_case, text) => {
    expect(() => parseWgDump(text)).toThrow(WireguardInputError);
    expect(thrownMessage(() => parseWgDump(text))).not.toContain(PRIVATE_KEY.slice(0, 12));
  });

  const goodPeer = `${key(1)}\t${key(2)}\t(none)\t10.8.0.2/32\t0\t0\t0\toff`;
  it.each([
    ['7 fields', goodPeer.replace(/\toff$/, ''), 'line 2: expected 8 tab-separated fields'],
    ['9 fields', `wg0\t${goodPeer}`, 'not `wg show all dump`'],
    ['a bad public key', goodPeer.replace(key(1), 'x'), 'line 2: public key must be a WireGuard key'],
    ['a bad preshared key', goodPeer.replace(key(2), 'x'), 'line 2: preshared key must be'],
    ['a negative handshake', goodPeer.replace('\t0\t0\t0\t', '\t-1\t0\t0\t'), 'line 2: latest handshake must be a whole number'],
    ['a non-numeric rx', goodPeer.replace('\t0\t0\toff', '\tx\t0\toff'), 'line 2: transfer rx must be a whole number'],
    ['an empty tx', goodPeer.replace('\t0\toff', '\t\toff'), 'line 2: transfer tx must be a whole number'],
    ['a counter beyond 2^53', goodPeer.replace('\t0\toff', '\t9999999999999999\toff'), 'line 2: transfer tx must be a whole number'],
    ['a keepalive of "on"', goodPeer.replace(/off$/, 'on'), 'line 2: persistent keepalive must be a whole number'],
    ['an extra blank line at the end', `${goodPeer}\n`, 'line 3: expected 8 tab-separated fields'],
  ])('refuses a peer line with %s and names the line', (_case, line, message) => {
    const text = dump(INTERFACE_LINE, line);
    expect(() => parseWgDump(text)).toThrow(message);
    const thrown = thrownMessage(() => parseWgDump(text));
    expect([thrown.includes(PRIVATE_KEY), thrown.includes(key(2))]).toEqual([false, false]);
  });

  it('refuses a non-string', () => {
    expect(() => parseWgDump(undefined as unknown as string)).toThrow(expect.objectContaining({ field: 'text' }));
  });

  it('reads a 10,000-peer dump', () => {
    const peerLines = Array.from({ length: 10_000 }, (_, i) => {
      const publicKey = Buffer.alloc(32, i & 255).fill(i >> 8, 0, 1).toString('base64');
      const handshake = i % 2 === 0 ? 1_700_000_000 + i : 0;
      return `${publicKey}\t(none)\t198.19.${i >> 8}.${i & 255}:51820\t10.20.${i >> 8}.${i & 255}/32\t${handshake}\t${i * 100}\t${i * 200}\toff`;
    });
    const parsed = parseWgDump(dump(INTERFACE_LINE, ...peerLines));
    expect(parsed.peers).toHaveLength(10_000);
    expect(new Set(parsed.peers.map((peer) => peer.publicKey)).size).toBe(10_000);
    expect(parsed.peers[9_999]).toEqual({
      publicKey: Buffer.alloc(32, 9_999 & 255).fill(9_999 >> 8, 0, 1).toString('base64'),
      hasPresharedKey: false,
      endpoint: '198.19.39.15:51820',
      allowedIps: ['10.20.39.15/32'],
      latestHandshakeAt: null,
      rxBytes: 999_900,
      txBytes: 1_999_800,
      persistentKeepalive: null,
    });
    expect(parsed.peers.filter((peer) => peer.latestHandshakeAt !== null)).toHaveLength(5_000);
  });
});
