import { WireguardInputError } from './errors.js';
import { formatIp, parseIp, tryParseIp } from './ip-address.js';
import { ipv4ToNumber, numberToIpv4 } from './ipv4.js';
import { bigIntToIpv6, ipv6ToBigInt } from './ipv6.js';

describe('ipv4ToNumber / numberToIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['10.8.0.1', 0x0a080001],
    ['192.0.2.255', 0xc00002ff],
    ['255.255.255.255', 0xffffffff],
  ])('%s ↔ %i', (text, value) => {
    expect(ipv4ToNumber(text)).toBe(value);
    expect(numberToIpv4(value)).toBe(text);
  });

  it.each([
    ['a leading zero (octal ambiguity)', '010.8.0.1'],
    ['a double zero', '10.00.0.1'],
    ['an octet above 255', '10.8.0.256'],
    ['a four-digit octet', '10.8.0.1000'],
    ['three parts', '10.8.1'],
    ['five parts', '10.8.0.1.2'],
    ['an empty part', '10..0.1'],
    ['a trailing dot', '10.8.0.1.'],
    ['a sign', '10.8.0.+1'],
    ['spaces', '10.8.0. 1'],
    ['hex', '0x0a.8.0.1'],
    ['the empty string', ''],
  ])('rejects %s', (_case, text) => {
    expect(ipv4ToNumber(text)).toBeNull();
  });
});

describe('ipv6ToBigInt / bigIntToIpv6', () => {
  it.each([
    ['::', '::', 0n],
    ['::1', '::1', 1n],
    ['fd42:66:1::', 'fd42:66:1::', 0xfd420066000100000000000000000000n],
    ['fd42:66:1::2', 'fd42:66:1::2', 0xfd420066000100000000000000000002n],
    ['2001:DB8:0:0:0:0:0:1 (uppercase, uncompressed)', '2001:db8::1', 0x20010db8000000000000000000000001n],
    ['2001:0db8:0000:0000:0000:0000:0000:0001 (leading zeros)', '2001:db8::1', 0x20010db8000000000000000000000001n],
    ['2001:db8:0:1:0:0:0:1 (compresses the longer run)', '2001:db8:0:1::1', 0x20010db8000000010000000000000001n],
    ['2001:db8:0:0:1:0:0:1 (first of two equal runs)', '2001:db8::1:0:0:1', 0x20010db8000000000001000000000001n],
    ['2001:db8:0:1:1:1:1:1 (a single zero group stays)', '2001:db8:0:1:1:1:1:1', 0x20010db8000000010001000100010001n],
    ['1:0:0:0:0:0:0:0', '1::', 0x00010000000000000000000000000000n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 0x00010002000300040005000600070000n],
  ])('%s → %s', (text, canonical, value) => {
    const input = text.split(' ')[0];
    expect(ipv6ToBigInt(input)).toBe(value);
    expect(bigIntToIpv6(value)).toBe(canonical);
  });

  it.each([
    ['two "::"', '1::2::3'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['seven groups without "::"', '1:2:3:4:5:6:7'],
    ['"::" standing for no group', '1:2:3:4::5:6:7:8'],
    ['a five-digit group', '12345::'],
    ['a non-hex digit', 'fd42::g'],
    ['a zone id', 'fe80::1%eth0'],
    ['a dotted IPv4 tail', '::ffff:10.8.0.1'],
    ['a single colon at the start', ':1::'],
    ['a single colon at the end', '1::2:'],
    ['three colons', '1:::2'],
    ['only three colons', ':::'],
    ['eight groups plus "::"', '1:2:3:4:5:6:7:8::'],
    ['a trailing space', 'fd42::1 '],
    ['a trailing colon after eight groups', '1:2:3:4:5:6:7:8:'],
    ['the empty string', ''],
  ])('rejects %s', (_case, text) => {
    expect(ipv6ToBigInt(text)).toBeNull();
  });
});

describe('parseIp / formatIp', () => {
  it.each([
    ['10.8.0.2', 4, '10.8.0.2'],
    ['FD42:66:1::2', 6, 'fd42:66:1::2'],
  ])('parses %s as IPv%i and formats it canonically', (text, version, canonical) => {
    const ip = parseIp(text);
    expect(ip.version).toBe(version);
    expect(formatIp(ip)).toBe(canonical);
  });

  it.each([['::ffff:a08:1'], ['::ffff:10.8.0.1'], ['10.8.0.2/32'], ['vpn.example.com'], ['']])(
    'refuses %j (IPv4-mapped, prefixed or not an address)',
    (text) => {
      expect(tryParseIp(text)).toBeNull();
      expect(() => parseIp(text, 'targetIp')).toThrow(expect.objectContaining({ field: 'targetIp' }));
      expect(() => parseIp(text)).toThrow(WireguardInputError);
    },
  );
});
