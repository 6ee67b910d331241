import { Logger } from '@nestjs/common';
import { utils } from 'ssh2';
import { canonicalHost, canonicalIp, checkPrivateKey, checkSubnet, parseHostKeyLine, parsePortRange } from './fleet-validation.js';
import { ReconcileRequests } from './reconcile-requests.js';
import { ed25519KeyPair } from '../../../test/support/ssh-keys.js';

describe('checkSubnet', () => {
  it.each([
    ['10.8.0.0/24', 4],
    ['10.8.0.0/30', 4],
    ['fd42:66:1::/64', 6],
    ['fd42::/126', 6],
  ] as const)('accepts %s', (value, version) => {
    expect(checkSubnet(value, version)).toBeNull();
  });

  it('says which network to write when host bits are set', () => {
    expect(checkSubnet('10.8.0.5/24', 4)).toContain('use 10.8.0.0/24');
  });

  it.each([
    ['10.0.0.0/33', 4, 'CIDR'],
    ['010.8.0.0/24', 4, 'CIDR'],
    ['0x0a.0.0.0/8', 4, 'CIDR'],
    ['10.8.0.0/31', 4, '/30'],
    ['fd42::/127', 6, '/126'],
    ['::/129', 6, 'CIDR'],
    ['10.8.0.0/24', 6, 'IPv6'],
    ['fd42::/64', 4, 'IPv4'],
    ['10.0.0.1/32;id', 4, 'CIDR'],
    [42, 4, 'CIDR'],
  ] as const)('refuses %s as IPv%s', (value, version, hint) => {
    expect(checkSubnet(value, version)).toContain(hint);
  });
});

describe('canonicalIp / canonicalHost', () => {
  it.each([
    ['198.51.100.7', 4, '198.51.100.7'],
    ['2001:DB8:0:0::7', 6, '2001:db8::7'],
    ['010.0.0.1', 4, null],
    ['0x0a.0.0.1', 4, null],
    ['10.0.0.256', 4, null],
    ['::ffff:10.0.0.1', 6, null],
    ['fe80::1%eth0', 6, null],
    ['2001:db8::7', 4, null],
    ['198.51.100.7', 6, null],
  ] as const)('%s as IPv%s → %s', (value, version, expected) => {
    expect(canonicalIp(value, version)).toBe(expected);
  });

  it.each([
    ['vpn.Example.com', 'vpn.example.com'],
    ['198.51.100.7', '198.51.100.7'],
    ['2001:db8::7', '2001:db8::7'],
    ['a;id', null],
    ['-bad.example', null],
    ['10.8.0.256', null],
  ])('%s → %s', (value, expected) => {
    expect(canonicalHost(value)).toBe(expected);
  });
});

describe('parsePortRange', () => {
  it.each([
    ['20000-29999', { min: 20000, max: 29999 }],
    ['1-65535', { min: 1, max: 65535 }],
    ['443-443', { min: 443, max: 443 }],
    ['0-10', null],
    ['10-5', null],
    ['1-65536', null],
    ['01-10', null],
    ['1 - 10', null],
    ['10', null],
    [1, null],
  ])('%s → %o', (value, expected) => {
    expect(parsePortRange(value)).toEqual(expected);
  });
});

describe('parseHostKeyLine', () => {
  const ed25519 = ed25519KeyPair().public;
  const [, ed25519Blob] = ed25519.split(' ');

  it('accepts a host key line and drops its comment', () => {
    expect(parseHostKeyLine(ed25519)).toEqual({ line: ed25519 });
    expect(parseHostKeyLine(`${ed25519} root@node-1\n`)).toEqual({ line: ed25519 });
  });

  it('accepts ecdsa and rsa keys', () => {
    const ecdsa = utils.generateKeyPairSync('ecdsa', { bits: 256 }).public;
    expect(parseHostKeyLine(ecdsa)).toEqual({ line: ecdsa });
  });

  it.each([
    [`ssh-rsa ${ed25519Blob}`, 'embedded type'],
    [`ecdsa-sha2-nistp256 ${ed25519Blob}`, 'embedded type'],
    [`ssh-dss ${ed25519Blob}`, 'one line'],
    [`ssh-ed25519`, 'one line'],
    [`ssh-ed25519 AAAA$(id)`, 'base64'],
    [`ssh-ed25519 ${ed25519Blob}\nssh-ed25519 ${ed25519Blob}`, 'one line'],
    [`ssh-ed25519 QUFBQQ==`, 'embedded type'],
    ['', 'one line'],
  ])('refuses %j', (value, hint) => {
    const result = parseHostKeyLine(value);
    expect('error' in result && result.error).toContain(hint);
  });
});

describe('checkPrivateKey', () => {
  it('accepts an unencrypted OpenSSH key', () => {
    expect(checkPrivateKey(ed25519KeyPair().private)).toBeNull();
  });

  it('refuses an encrypted key, a public key and garbage, without quoting them', () => {
    const encrypted = ed25519KeyPair({ passphrase: 'secret', cipher: 'aes256-ctr', rounds: 4 });
    expect(checkPrivateKey(encrypted.private)).toContain('passphrase');
    expect(checkPrivateKey(encrypted.public)).toContain('public key');
    const garbage = '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(checkPrivateKey(garbage)).toContain('OpenSSH or PEM');
    expect(checkPrivateKey(garbage)).not.toContain('not a key');
    expect(checkPrivateKey(42)).toContain('OpenSSH or PEM');
  });
});

describe('ReconcileRequests', () => {
  it('tells every listener, survives one that throws, and unsubscribes', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const requests = new ReconcileRequests();
    const seen: number[] = [];
    requests.onRequest(() => {
      throw new Error('boom');
    });
    const stop = requests.onRequest((id) => seen.push(id));
    requests.request(7);
    stop();
    requests.request(8);
    expect(seen).toEqual([7]);
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
  });
});
