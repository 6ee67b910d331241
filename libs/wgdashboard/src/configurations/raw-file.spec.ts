import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderServerPeers, WireguardInputError } from '@wgfleet/wireguard';
import { injectionsInto } from '../../../../test/support/injection-payloads.js';
import { interfaceSettings, NO_HOOKS, peerIdentities, peerSetDifference, readWgQuickFile, renderServerFile, type PeerIdentity } from './raw-file.js';

/** The `content` of a recorded getWireguardConfigurationRawFile answer of the real 4.2.5. */
function recordedContent(name: string): string {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/wgdashboard', `${name}.json`), 'utf8')) as { body: string };
  return (JSON.parse(fixture.body) as { data: { content: string } }).data.content;
}

const PRIVATE_KEY = 'qHDJqXPXYsoOgqZT0KEmXF7xHCbzq6e8nE5su7jvoHg=';

describe('renderServerFile', () => {
  it('is upstream’s file as addWireguardConfiguration writes it while there are no peers', () => {
    expect(renderServerFile({ privateKey: PRIVATE_KEY, addresses: ['10.66.7.1/24'], listenPort: 51820, mtu: null, hooks: NO_HOOKS, peerSections: '' })).toBe(
      recordedContent('getWireguardConfigurationRawFile-wg0-new'),
    );
  });

  it('is upstream’s file as wg-quick save rewrites it once there are peers, with the core’s peer rendering', () => {
    const recorded = recordedContent('getWireguardConfigurationRawFile-wg0-after');
    const peers = [...recorded.matchAll(/\[Peer\]\nPublicKey = (\S+)\n(?:PresharedKey = (\S+)\n)?AllowedIPs = (\S+)\n/g)].map((m) => ({
      publicKey: m[1]!,
      presharedKey: m[2] ?? null,
      allowedIps: [m[3]!],
    }));
    expect(peers).toHaveLength(4);
    const rendered = renderServerPeers({ privateKey: PRIVATE_KEY, listenPort: 51820, peers });
    expect(
      renderServerFile({
        privateKey: PRIVATE_KEY,
        addresses: ['10.66.7.1/24'],
        listenPort: 51820,
        mtu: null,
        hooks: NO_HOOKS,
        peerSections: rendered.slice(rendered.indexOf('[Peer]')),
      }),
    ).toBe(recorded);
  });

  it('writes MTU, Table and hooks where wg-quick puts them, addresses one per line once saved', () => {
    const hooks = { PreUp: 'a', PreDown: 'b', PostUp: 'c; d', PostDown: 'e', Table: 'off' };
    const source = { privateKey: PRIVATE_KEY, addresses: ['10.0.0.1/24', 'fd42::1/64'], listenPort: 1, mtu: 1420, hooks };
    expect(renderServerFile({ ...source, peerSections: '' })).toBe(
      `[Interface]\nPrivateKey = ${PRIVATE_KEY}\nAddress = 10.0.0.1/24, fd42::1/64\nMTU = 1420\nListenPort = 1\nPreUp = a\nPreDown = b\nPostUp = c; d\nPostDown = e\nTable = off\nSaveConfig = true\n\n`,
    );
    expect(renderServerFile({ ...source, peerSections: '[Peer]\nPublicKey = K\n' })).toBe(
      '[Interface]\nAddress = 10.0.0.1/24\nAddress = fd42::1/64\nMTU = 1420\nTable = off\nSaveConfig = true\nPreUp = a\nPostUp = c; d\nPreDown = b\nPostDown = e\n' +
        `ListenPort = 1\nPrivateKey = ${PRIVATE_KEY}\n\n[Peer]\nPublicKey = K\n`,
    );
  });
});

describe('readWgQuickFile and interfaceSettings', () => {
  it('reads upstream’s own files back: every layout it writes', () => {
    for (const name of ['getWireguardConfigurationRawFile-wg0-new', 'getWireguardConfigurationRawFile-wg0-after']) {
      const read = readWgQuickFile(recordedContent(name));
      if (!read.ok) throw new Error(read.message);
      const settings = interfaceSettings(read.value.iface);
      expect(settings).toEqual({
        ok: true,
        value: { privateKey: PRIVATE_KEY, address: '10.66.7.1/24', listenPort: '51820', mtu: undefined, hooks: NO_HOOKS },
      });
    }
  });

  it('joins repeated addresses with ", " and repeated hooks with "; ", case-insensitive keys, # comments dropped', () => {
    const read = readWgQuickFile('[interface]\r\naddress = 10.0.0.1/24\nADDRESS=fd42::1/64 # v6\nPostUp = a\nPostUp = b\n# a comment\nListenPort = 7\nPrivateKey = k\nTable = 1234\n');
    if (!read.ok) throw new Error(read.message);
    expect(interfaceSettings(read.value.iface)).toEqual({
      ok: true,
      value: { privateKey: 'k', address: '10.0.0.1/24, fd42::1/64', listenPort: '7', mtu: undefined, hooks: { ...NO_HOOKS, PostUp: 'a; b', Table: '1234' } },
    });
  });

  it.each([
    ['', 'the file has no [Interface] section'],
    ['[Peer]\nPublicKey = k\n', 'the file has no [Interface] section'],
    ['ListenPort = 1\n', 'line 1: a setting before any section; start with [Interface]'],
    ['[Interface]\n[Interface]\n', 'line 2: a second [Interface] section; a configuration has one'],
    ['[Interface]\nDNS = 1.1.1.1\n', 'line 2: DNS is not supported in [Interface] here'],
    ['[Interface]\nFwMark = 1\n', 'line 2: FwMark is not supported in [Interface] here'],
    ['[Interface]\n[Peer]\nPersistentKeepalive = 25\n', 'line 3: PersistentKeepalive is not supported in [Peer] here'],
    ['[Interface]\njust words\n', 'line 2: expected "Key = value" or a [Section] header'],
    ['[Wireguard]\n', 'line 1: unknown section; use [Interface] and [Peer]'],
  ])('refuses %j', (text, message) => {
    expect(readWgQuickFile(text)).toEqual({ ok: false, message: `Invalid configuration file: ${message}` });
  });

  it('refuses a single-valued key given twice', () => {
    const read = readWgQuickFile('[Interface]\nListenPort = 1\nListenPort = 2\n');
    if (!read.ok) throw new Error(read.message);
    expect(interfaceSettings(read.value.iface)).toEqual({ ok: false, message: 'Invalid configuration file: listenport is set twice in [Interface]' });
  });
});

describe('peerIdentities and peerSetDifference', () => {
  const read = (text: string) => {
    const result = readWgQuickFile(`[Interface]\n${text}`);
    if (!result.ok) throw new Error(result.message);
    return peerIdentities(result.value.peers);
  };
  const current: PeerIdentity[] = [
    { publicKey: 'A', presharedKey: 'P', allowedIps: ['10.0.0.2/32', 'fd42::2/128'] },
    { publicKey: 'B', presharedKey: null, allowedIps: ['10.0.0.3/32'] },
  ];

  it('compares AllowedIPs as canonical sets, ignores Endpoint and order', () => {
    const given = read('[Peer]\nPublicKey = B\nAllowedIPs = 10.0.0.3\nEndpoint = 192.0.2.1:5\n[Peer]\nPublicKey = A\nPresharedKey = P\nAllowedIPs = fd42:0::2/128\nAllowedIPs = 10.0.0.2/32\n');
    if (!given.ok) throw new Error(given.message);
    expect(peerSetDifference(current, given.value)).toBeNull();
  });

  it('names the first difference', () => {
    const advice = "the [Peer] sections must be the configuration's current peers (add, change and delete peers with addPeers, updatePeerSettings and deletePeers)";
    const differs = (text: string) => {
      const given = read(text);
      if (!given.ok) throw new Error(given.message);
      return peerSetDifference(current, given.value);
    };
    expect(differs('[Peer]\nPublicKey = A\nPresharedKey = P\nAllowedIPs = 10.0.0.2/32, fd42::2/128\n')).toBe(`Peer B is missing: ${advice}`);
    expect(differs('[Peer]\nPublicKey = C\n')).toBe(`Peer C is not a peer of this configuration: ${advice}`);
    expect(differs('[Peer]\nPublicKey = A\nAllowedIPs = 10.0.0.2/32, fd42::2/128\n')).toBe(`Peer A has another PresharedKey: ${advice}`);
    expect(differs('[Peer]\nPublicKey = A\nPresharedKey = P\nAllowedIPs = 10.0.0.2/32\n')).toBe(`Peer A has other AllowedIPs: ${advice}`);
    expect(differs('[Peer]\nPublicKey = B\nAllowedIPs = 10.0.0.3/32\n[Peer]\nPublicKey = B\nAllowedIPs = 10.0.0.3/32\n')).toBe(`Peer B is listed twice: ${advice}`);
  });

  it('refuses a peer without one PublicKey or with a bad AllowedIPs entry', () => {
    expect(read('[Peer]\nAllowedIPs = 10.0.0.3/32\n')).toEqual({ ok: false, message: 'Invalid configuration file: [Peer] number 1 needs exactly one PublicKey' });
    expect(read('[Peer]\nPublicKey = A\nAllowedIPs = 10.0.0.3/24\n')).toEqual({ ok: false, message: 'Invalid configuration file: [Peer] number 1 has an AllowedIPs entry that is not a network' });
  });
});

describe('renderServerFile refuses a line break, NUL or control character in any value', () => {
  const source = {
    privateKey: PRIVATE_KEY,
    addresses: ['10.66.7.1/24', 'fd42::1/64'],
    listenPort: 51820,
    mtu: 1420 as number | null,
    hooks: { PreUp: 'a', PreDown: 'b', PostUp: 'c # d', PostDown: 'e', Table: 'off' },
    peerSections: '[Peer]\nPublicKey = K\n',
  };
  type Source = typeof source;
  const fields: Array<readonly [string, string, (value: string) => Source]> = [
    ['privateKey', PRIVATE_KEY, (v) => ({ ...source, privateKey: v })],
    ['addresses[1]', 'fd42::1/64', (v) => ({ ...source, addresses: ['10.66.7.1/24', v] })],
    ['listenPort', '51820', (v) => ({ ...source, listenPort: v as unknown as number })],
    ['mtu', '1420', (v) => ({ ...source, mtu: v as unknown as number })],
    ...(['PreUp', 'PreDown', 'PostUp', 'PostDown', 'Table'] as const).map(
      (name) => [`hooks.${name}`, source.hooks[name], (v: string) => ({ ...source, hooks: { ...source.hooks, [name]: v } })] as const,
    ),
    ['peerSections', 'PublicKey = K', (v) => ({ ...source, peerSections: `[Peer]\n${v}\n` })],
  ];

  it('renders the valid values, with and without peers', () => {
    expect(renderServerFile(source)).toContain('PostUp = c # d\n');
    expect(renderServerFile({ ...source, peerSections: '' })).toContain('Address = 10.66.7.1/24, fd42::1/64\n');
  });

  // `#` is left out of the hooks' cases: a hook may hold one (wg-quick reads it as a comment).
  // In the peer sections a line break must not bring in anything but wg(8) peer settings.
  const cases = fields.flatMap(([name, valid, set]) =>
    injectionsInto(valid)
      .filter(([what]) => !(what === 'a comment sign' && name.startsWith('hooks.')))
      // A blank line between sections is the peer sections' own layout.
      .filter(([what]) => !(what === 'a trailing line feed' && name === 'peerSections'))
      .map(([what, value]) => [name, what, set(value)] as const),
  );
  it.each(cases)('%s with %s', (_name, _what, given) => {
    expect(() => renderServerFile(given)).toThrow(WireguardInputError);
  });
});
