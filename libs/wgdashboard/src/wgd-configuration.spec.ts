import { envelope } from './envelope.js';
import { configurationStatus, toWgdConfiguration, type ConfigurationSource } from './wgd-configuration.js';
import { type PeerBytes } from './wgd-traffic.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const GIB = 1024 ** 3;

const source = (peers: PeerBytes[], status = true): ConfigurationSource => ({
  interfaceName: 'wg0',
  privateKey: 'cPrivateKeyPrivateKeyPrivateKeyPrivateKey0=',
  publicKey: 'PublicKeyPublicKeyPublicKeyPublicKeyPubli0=',
  addresses: ['10.0.20.1/24', 'fd42:66:1::1/64'],
  listenPort: 51829,
  status,
  peers,
});

const peer = (over: Partial<PeerBytes> = {}): PeerBytes => ({ rxRaw: 0, txRaw: 0, rxTotal: 0, txTotal: 0, latestHandshakeAt: null, ...over });

describe('toWgdConfiguration', () => {
  it('is upstream’s object, byte for byte in the envelope: string port, joined addresses, int zeros without peers', () => {
    expect(envelope(true, null, toWgdConfiguration(source([], false), NOW))).toBe(
      '{"data":{"Address":"10.0.20.1/24, fd42:66:1::1/64","ConnectedPeers":0,"DataUsage":{"Receive":0,"Sent":0,"Total":0},' +
        '"ListenPort":"51829","Name":"wg0","PostDown":"","PostUp":"","PreDown":"","PreUp":"",' +
        '"PrivateKey":"cPrivateKeyPrivateKeyPrivateKeyPrivateKey0=","Protocol":"wg","PublicKey":"PublicKeyPublicKeyPublicKeyPublicKeyPubli0=",' +
        '"SaveConfig":true,"Status":false,"Table":"","TotalPeers":0},"message":null,"status":true}\n',
    );
  });

  it('sums peers’ usage as floats (0.0 too), counts running peers by a handshake under two minutes', () => {
    const config = toWgdConfiguration(
      source([
        peer(),
        peer({ rxRaw: GIB, txRaw: GIB / 2, rxTotal: 3 * GIB, txTotal: GIB / 2, latestHandshakeAt: new Date(NOW.getTime() - 119_000) }),
        peer({ latestHandshakeAt: new Date(NOW.getTime() - 120_000) }),
      ]),
      NOW,
    );
    const bytes = envelope(true, null, config);
    expect(bytes).toContain('"DataUsage":{"Receive":3.0,"Sent":0.5,"Total":3.5}');
    expect(bytes).toContain('"ConnectedPeers":1,');
    expect(bytes).toContain('"TotalPeers":3}');
    expect(envelope(true, null, toWgdConfiguration(source([peer()]), NOW))).toContain('"DataUsage":{"Receive":0.0,"Sent":0.0,"Total":0.0}');
  });
});

describe('toWgdConfiguration PublicKey', () => {
  it('is "" while the key is hidden (added, not brought up since), the key otherwise', () => {
    expect(toWgdConfiguration({ ...source([], false), publicKeyHidden: true }, NOW).PublicKey).toBe('');
    expect(toWgdConfiguration({ ...source([], false), publicKeyHidden: false }, NOW).PublicKey).toBe('PublicKeyPublicKeyPublicKeyPublicKeyPubli0=');
  });
});

describe('toWgdConfiguration hooks', () => {
  it('shows the stored hooks and Table as given', () => {
    const bytes = envelope(true, null, toWgdConfiguration({ ...source([]), hooks: { PreUp: 'echo a; echo b', PreDown: '', PostUp: 'x', PostDown: 'y', Table: 'off' } }, NOW));
    expect(bytes).toContain('"PostDown":"y","PostUp":"x","PreDown":"","PreUp":"echo a; echo b",');
    expect(bytes).toContain('"Table":"off"');
  });
});

describe('configurationStatus', () => {
  it('is the switch, unless the node refused or missed the last push', () => {
    expect(configurationStatus({ enabled: true, lastError: null })).toBe(true);
    expect(configurationStatus({ enabled: false, lastError: null })).toBe(false);
    expect(configurationStatus({ enabled: true, lastError: 'node unreachable: timeout' })).toBe(false);
  });
});
