import { pyFloat } from '../python-json.js';
import { backupDateOf, backupFileName, databaseContentOf, sqlRowOf, toBackupJson, type BackupPeer, type BackupSnapshot } from './backup-snapshot.js';
import type { SqlPeerRow } from './sqlite-dump.js';

const row = (id: string, name: string): SqlPeerRow => ({
  id,
  private_key: '',
  DNS: '1.1.1.1',
  endpoint_allowed_ip: '0.0.0.0/0',
  name,
  total_receive: 0,
  total_sent: 0,
  total_data: 0,
  endpoint: 'N/A',
  status: 'stopped',
  latest_handshake: 'N/A',
  allowed_ip: '10.0.0.2/32',
  cumu_receive: 0,
  cumu_sent: 0,
  cumu_data: 0,
  mtu: 1420,
  keepalive: 21,
  remote_endpoint: '192.0.2.1',
  preshared_key: '',
});

const peer = (id: string, restricted: boolean): BackupPeer => ({
  publicKey: id,
  name: id,
  privateKey: null,
  presharedKey: null,
  ipv4: '10.0.0.2',
  ipv6: null,
  routedIps: [],
  dns: null,
  allowedIps: ['0.0.0.0/0'],
  persistentKeepalive: 21,
  restricted,
  tenant: false,
  wgd: { dns: '1.1.1.1', endpointAllowedIp: '0.0.0.0/0', mtu: 1420, remoteEndpoint: '192.0.2.1' },
  row: row(id, id),
});

const snapshot: BackupSnapshot = {
  version: 1,
  content: '[Interface]\n',
  iface: { privateKey: 'k', ipv4Subnet: '10.0.0.0/24', ipv6Subnet: null, listenPort: 51820, mtu: null, hooks: { PreUp: '', PreDown: '', PostUp: '', PostDown: '', Table: '' } },
  peers: [peer('R', true), peer('A', false)],
};

describe('backup names', () => {
  it('are <Name>_<YYYYmmddHHMMSS>.conf in UTC, and the date is read back from the name', () => {
    const name = backupFileName('wg_a', new Date('2026-11-23T22:40:21.999Z'));
    expect(name).toBe('wg_a_20261123224021.conf');
    expect(backupDateOf('wg_a', name)).toBe('20261123224021');
    expect(backupFileName('wg0', new Date('2027-01-02T03:04:05Z'))).toBe('wg0_20270102030405.conf');
  });
});

describe('toBackupJson', () => {
  it('is upstream’s backup object: database always there, databaseContent and protocol only when asked', () => {
    const backup = { configurationName: 'wg0', fileName: 'wg0_20261123224021.conf' };
    expect(toBackupJson(backup, snapshot)).toEqual({ filename: 'wg0_20261123224021.conf', backupDate: '20261123224021', content: '[Interface]\n', database: true });
    expect(toBackupJson(backup, snapshot, { databaseContent: true, protocol: true })).toEqual({
      filename: 'wg0_20261123224021.conf',
      backupDate: '20261123224021',
      content: '[Interface]\n',
      database: true,
      databaseContent: databaseContentOf('wg0', snapshot),
      protocol: 'wg',
    });
  });
});

describe('databaseContentOf', () => {
  it('puts active peers into <Name> first and restricted ones into <Name>_restrict_access', () => {
    const lines = databaseContentOf('wg0', snapshot).split('\n');
    expect(lines.map((line) => line.split(",'',")[0])).toEqual([`INSERT INTO "wg0" VALUES('A'`, `INSERT INTO "wg0_restrict_access" VALUES('R'`, '']);
  });
});

describe('sqlRowOf', () => {
  it('takes a peer object’s fields, floats unwrapped', () => {
    const object = { ...row('A', 'a'), total_data: pyFloat(1.5), cumu_sent: pyFloat(0), DNS: '9.9.9.9', configuration: {}, ShareLink: [], jobs: [] };
    expect(sqlRowOf(object)).toEqual({ ...row('A', 'a'), total_data: 1.5, DNS: '9.9.9.9' });
  });
});
