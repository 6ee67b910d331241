import { numberUntitled, peerFileName, renderPeerFile } from './peer-download.js';

describe('peerFileName (notes §2.27)', () => {
  it.each([
    ["Donald's Macbook Pro ", 'DonaldsMacbookPro'],
    ['falcon', 'fal'],
    ['', 'UntitledPeer'],
    ['oracle peer A', 'oraclepeerA'],
    ['控制器', ''],
    ['a|"b', 'ab'],
    ['a|b"c', 'abc'],
    ['../../etc/passwd', 'etcpasswd'],
    ['x;rm -rf /', 'xrm-rf'],
    ['COM1 com1 lpt9', 'COM1'],
    ['name=+_-', 'name=+_-'],
  ])('%j → %j', (name, expected) => {
    expect(peerFileName(name)).toBe(expected);
  });
});

describe('renderPeerFile', () => {
  const base = {
    name: 'a',
    privateKey: 'PRIV',
    allowedIp: '10.66.7.2/32',
    mtu: 1420,
    dns: '1.1.1.1',
    serverPublicKey: 'SERVER',
    endpointAllowedIp: '0.0.0.0/0',
    remoteEndpoint: '172.16.77.1',
    listenPort: 51820,
    keepalive: 21,
    presharedKey: '',
  };

  it('lays the file out as upstream (the recorded downloadPeer answer)', () => {
    expect(renderPeerFile(base)).toBe(
      '[Interface]\nPrivateKey = PRIV\nAddress = 10.66.7.2/32\nMTU = 1420\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = SERVER\nAllowedIPs = 0.0.0.0/0\nEndpoint = 172.16.77.1:51820\nPersistentKeepalive = 21\n',
    );
  });

  it('leaves DNS out when empty and puts a preshared key last', () => {
    const file = renderPeerFile({ ...base, dns: '', presharedKey: 'PSK' });
    expect(file).not.toContain('DNS');
    expect(file.endsWith('PersistentKeepalive = 21\nPresharedKey = PSK\n')).toBe(true);
  });
});

describe('numberUntitled', () => {
  it('numbers only the untitled files, in order', () => {
    const files = ['UntitledPeer', 'x', 'UntitledPeer'].map((fileName) => ({ fileName, file: '' }));
    expect(numberUntitled(files).map((f) => f.fileName)).toEqual(['0_UntitledPeer', 'x', '1_UntitledPeer']);
  });
});
