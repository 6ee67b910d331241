import { generateKeyPair } from '@wgfleet/wireguard';
import { injectionsInto } from '../../../../test/support/injection-payloads.js';
import { backupPeersProblem } from './backup-peer-checks.js';
import type { BackupPeer } from './backup-snapshot.js';

const keys = generateKeyPair();
const peer: BackupPeer = {
  publicKey: keys.publicKey,
  name: 'a',
  privateKey: keys.privateKey,
  presharedKey: null,
  ipv4: '10.0.0.2',
  ipv6: null,
  routedIps: [],
  dns: ['1.1.1.1'],
  allowedIps: ['0.0.0.0/0'],
  persistentKeepalive: 21,
  restricted: false,
  tenant: false,
  wgd: { dns: '1.1.1.1', endpointAllowedIp: '0.0.0.0/0', mtu: 1420, remoteEndpoint: '198.51.100.1' },
  row: {} as BackupPeer['row'],
};

describe('backupPeersProblem', () => {
  it('takes valid peers', () => {
    expect(backupPeersProblem([peer, { ...peer, wgd: { ...peer.wgd, dns: '' }, dns: null }])).toBeNull();
  });

  type Case = [field: string, what: string, change: Partial<BackupPeer>, message: string];
  const cases: Case[] = [
    ...injectionsInto('1.1.1.1').map(([what, value]): Case => ['wgd DNS', what, { wgd: { ...peer.wgd, dns: value } }, 'DNS format is incorrect']),
    ...injectionsInto('0.0.0.0/0').map(([what, value]): Case => ['wgd endpoint_allowed_ip', what, { wgd: { ...peer.wgd, endpointAllowedIp: value } }, 'Endpoint Allowed IPs format is incorrect']),
    ...injectionsInto('198.51.100.1').map(([what, value]): Case => ['wgd remote endpoint', what, { wgd: { ...peer.wgd, remoteEndpoint: value } }, 'is not a valid remote endpoint']),
    ...injectionsInto('1.1.1.1').map(([what, value]): Case => ['wg_user dns', what, { dns: [value] }, 'DNS format is incorrect']),
    ...injectionsInto('0.0.0.0/0').map(([what, value]): Case => ['wg_user allowed IPs', what, { allowedIps: [value] }, 'Endpoint Allowed IPs format is incorrect']),
    ...injectionsInto(keys.privateKey).map(([what, value]): Case => ['private key', what, { privateKey: value }, 'its private key is not a WireGuard key']),
  ];
  it.each(cases)('refuses a stored %s with %s, naming the peer', (_field, _what, change, message) => {
    const problem = backupPeersProblem([peer, { ...peer, ...change }]);
    expect(problem).toContain(`peer ${keys.publicKey}: `);
    expect(problem).toContain(message);
  });

  it('leaves a tenant’s user alone: a restore never writes it back', () => {
    expect(backupPeersProblem([{ ...peer, tenant: true, wgd: { ...peer.wgd, dns: '1.1.1.1\nPostUp = id' } }])).toBeNull();
  });
});
