import { renderWgdashboardPeerFile, type WgdashboardPeerFile } from './wgdashboard-peer-file.js';

const PRIVATE = Buffer.alloc(32, 1).toString('base64');
const SERVER = Buffer.alloc(32, 2).toString('base64');
const PSK = Buffer.alloc(32, 3).toString('base64');

const base: WgdashboardPeerFile = {
  privateKey: PRIVATE,
  allowedIp: '10.66.7.2/32',
  mtu: 1420,
  dns: '1.1.1.1',
  serverPublicKey: SERVER,
  endpointAllowedIp: '0.0.0.0/0',
  remoteEndpoint: '172.16.77.1',
  listenPort: 51820,
  keepalive: 21,
  presharedKey: '',
};

describe('renderWgdashboardPeerFile', () => {
  it('lays the file out as upstream (the recorded downloadPeer answer)', () => {
    expect(renderWgdashboardPeerFile(base)).toBe(
      `[Interface]\nPrivateKey = ${PRIVATE}\nAddress = 10.66.7.2/32\nMTU = 1420\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = ${SERVER}\nAllowedIPs = 0.0.0.0/0\nEndpoint = 172.16.77.1:51820\nPersistentKeepalive = 21\n`,
    );
  });

  it('leaves DNS out when empty, writes an empty PrivateKey when none is kept, and puts a preshared key last', () => {
    const file = renderWgdashboardPeerFile({ ...base, dns: '', privateKey: '', presharedKey: PSK });
    expect(file).not.toContain('DNS');
    expect(file).toContain('PrivateKey = \n');
    expect(file.endsWith(`PersistentKeepalive = 21\nPresharedKey = ${PSK}\n`)).toBe(true);
  });

  it('writes typed lists as typed', () => {
    const file = renderWgdashboardPeerFile({ ...base, dns: '1.1.1.1, 8.8.8.8', endpointAllowedIp: '0.0.0.0/0,::/0', allowedIp: '10.66.7.2/32, fd42::2/128' });
    expect(file).toContain('DNS = 1.1.1.1, 8.8.8.8\n');
    expect(file).toContain('AllowedIPs = 0.0.0.0/0,::/0\n');
    expect(file).toContain('Address = 10.66.7.2/32, fd42::2/128\n');
  });

  // Each field fed every injection: renderers-refuse-injection.spec.ts.

  it.each([
    ['mtu', { mtu: 1420.5 }, 'mtu must be an integer from 0 to 65535'],
    ['keepalive', { keepalive: -1 }, 'keepalive must be an integer from 0 to 65535'],
    ['listenPort', { listenPort: 0 }, 'ListenPort must be an integer from 1 to 65535'],
    ['a number as text', { mtu: '1420\nPostUp = id' as unknown as number }, 'mtu must be an integer from 0 to 65535'],
    ['a key that is not one', { presharedKey: 'PSK' }, 'preshared_key must be a WireGuard key'],
  ])('refuses a bad %s', (_case, change, message) => {
    expect(() => renderWgdashboardPeerFile({ ...base, ...change })).toThrow(message);
  });
});
