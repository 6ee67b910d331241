import { numberUntitled, peerFileName } from './peer-download.js';

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

describe('numberUntitled', () => {
  it('numbers only the untitled files, in order', () => {
    const files = ['UntitledPeer', 'x', 'UntitledPeer'].map((fileName) => ({ fileName, file: '' }));
    expect(numberUntitled(files).map((f) => f.fileName)).toEqual(['0_UntitledPeer', 'x', '1_UntitledPeer']);
  });
});
