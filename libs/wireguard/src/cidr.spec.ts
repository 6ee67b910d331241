import { cidrContains, cidrSize, parseCidr, tryParseInterfaceAddress } from './cidr.js';
import { WireguardInputError } from './errors.js';
import { parseIp } from './ip-address.js';

describe('parseCidr', () => {
  it.each([
    ['10.8.0.0/24', 4, 0x0a080000n, 24, '10.8.0.0/24'],
    ['0.0.0.0/0', 4, 0n, 0, '0.0.0.0/0'],
    ['10.8.0.7/32', 4, 0x0a080007n, 32, '10.8.0.7/32'],
    ['fd42:66:1::/64', 6, 0xfd420066000100000000000000000000n, 64, 'fd42:66:1::/64'],
    ['FD42:0066:0001:0000::/64', 6, 0xfd420066000100000000000000000000n, 64, 'fd42:66:1::/64'],
    ['::/0', 6, 0n, 0, '::/0'],
    ['fd42:66:1::2/128', 6, 0xfd420066000100000000000000000002n, 128, 'fd42:66:1::2/128'],
  ])('parses %s', (text, version, network, prefix, canonical) => {
    expect(parseCidr(text)).toEqual({ version, network, prefix, text: canonical });
  });

  it.each([
    ['10.8.0.5/24', '10.8.0.5/24 has host bits set; use 10.8.0.0/24'],
    ['fd42:66:1::1/64', 'fd42:66:1::1/64 has host bits set; use fd42:66:1::/64'],
    ['0.0.0.1/0', '0.0.0.1/0 has host bits set; use 0.0.0.0/0'],
  ])('refuses %s and says which network to use', (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
    expect(() => parseCidr(text)).toThrow(WireguardInputError);
  });

  it.each([
    ['no prefix', '10.8.0.0'],
    ['a v4 prefix above 32', '10.8.0.0/33'],
    ['a v6 prefix above 128', 'fd42::/129'],
    ['a leading zero in the prefix', '10.8.0.0/024'],
    ['an empty prefix', '10.8.0.0/'],
    ['a negative prefix', '10.8.0.0/-1'],
    ['two slashes', '10.8.0.0/24/24'],
    ['a bad address', '10.8.0.256/24'],
    ['a hostname', 'example.com/24'],
    ['whitespace', ' 10.8.0.0/24'],
  ])('refuses %s with a WireguardInputError naming the field', (_case, text) => {
    expect(() => parseCidr(text, 'subnet')).toThrow(expect.objectContaining({ name: 'WireguardInputError', field: 'subnet' }));
  });

  it('refuses a non-string', () => {
    expect(() => parseCidr(24 as unknown as string)).toThrow(WireguardInputError);
  });
});

describe('tryParseInterfaceAddress', () => {
  it.each([
    ['10.8.0.2/24', '10.8.0.2', 24],
    ['10.8.0.2', '10.8.0.2', 32],
    ['fd42:66:1::2', 'fd42:66:1::2', 128],
    ['fd42:66:1::2/64', 'fd42:66:1::2', 64],
  ])('reads %s as %s with prefix %i', (text, address, prefix) => {
    expect(tryParseInterfaceAddress(text)).toEqual({ ip: parseIp(address), prefix });
  });

  it.each([['10.8.0.2/33'], ['10.8.0.2/'], ['nope']])('refuses %s', (text) => {
    expect(tryParseInterfaceAddress(text)).toBeNull();
  });
});

describe('cidrSize and cidrContains', () => {
  it.each([
    ['10.8.0.0/24', 256n],
    ['10.8.0.0/32', 1n],
    ['fd42:66:1::/64', 1n << 64n],
  ])('%s has %s addresses', (text, size) => {
    expect(cidrSize(parseCidr(text))).toBe(size);
  });

  it.each([
    ['10.8.0.0/24', '10.8.0.255', true],
    ['10.8.0.0/24', '10.8.1.0', false],
    ['10.8.0.0/24', 'fd42::1', false],
    ['fd42:66:1::/64', 'fd42:66:1::ffff', true],
    ['fd42:66:1::/64', 'fd42:66:2::1', false],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrContains(parseCidr(cidr), parseIp(ip))).toBe(expected);
  });
});
