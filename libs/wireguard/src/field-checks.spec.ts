import { WireguardInputError } from './errors.js';
import { checkCidr, checkDnsEntry, checkEndpoint, checkInteger, checkInterfaceAddress, checkIp, checkKey, checkLine, checkList, checkText } from './field-checks.js';

describe('field checks return canonical text', () => {
  it.each([
    ['checkCidr', () => checkCidr('f', 'FD42:0:0::/48'), 'fd42::/48'],
    ['checkCidr keeps canonical input', () => checkCidr('f', '10.8.0.0/24'), '10.8.0.0/24'],
    ['checkIp', () => checkIp('f', 'FD42::0001'), 'fd42::1'],
    ['checkInterfaceAddress with a bare IPv4', () => checkInterfaceAddress('f', '10.8.0.2'), '10.8.0.2/32'],
    ['checkInterfaceAddress with host bits', () => checkInterfaceAddress('f', '10.8.0.2/24'), '10.8.0.2/24'],
    ['checkEndpoint', () => checkEndpoint('f', '[FD00::02]:51820'), '[fd00::2]:51820'],
    ['checkDnsEntry with an IP', () => checkDnsEntry('f', '2606:4700:4700:0::1111'), '2606:4700:4700::1111'],
    ['checkDnsEntry with a search domain', () => checkDnsEntry('f', 'corp.example'), 'corp.example'],
    ['checkKey', () => checkKey('f', Buffer.alloc(32, 5).toString('base64')), Buffer.alloc(32, 5).toString('base64')],
  ])('%s', (_case, check, expected) => {
    expect(check()).toBe(expected);
  });

  it('checkLine takes "#" and a tab, which every reader reads within the line', () => {
    expect(checkLine('hook', 'iptables -A x\t# comment')).toBe('iptables -A x\t# comment');
  });

  it('checkList canonicalises each entry', () => {
    expect(checkList('ips', ['FD42::/16', '10.0.0.0/8'], checkCidr, { minLength: 1 })).toEqual(['fd42::/16', '10.0.0.0/8']);
  });
});

describe('field checks refuse bad values with the field name', () => {
  it.each([
    ...[
      ['a line feed', 'a\nb'],
      ['a carriage return', 'a\rb'],
      ['CRLF', 'a\r\nb'],
      ['a NUL', 'a\u0000b'],
      ['a vertical tab', 'a\u000bb'],
      ['a form feed', 'a\u000cb'],
      ['DEL', 'a\u007fb'],
      ['NEL (U+0085)', 'a\u0085b'],
      ['a line separator (U+2028)', 'a\u2028b'],
      ['a paragraph separator (U+2029)', 'a\u2029b'],
    ].map(([name, value]): [string, () => unknown, string] => [name!, () => checkText('name', value), 'name must be one line: no line breaks or other control characters']),
    ['a comment sign', () => checkText('name', 'a#b'), 'name must not contain "#"'],
    ['a tab in a key', () => checkKey('key', `${Buffer.alloc(32, 5).toString('base64')}\t`), 'key must be a WireGuard key'],
    ['a line break in a line that may hold "#"', () => checkLine('hook', 'echo # x\nid'), 'hook must be one line: no line breaks or other control characters'],
    ['a non-string', () => checkText('name', 5), 'name must be a string'],
    ['an IPv6 network where IPv4 is required', () => checkCidr('subnet', 'fd42::/64', 4), 'subnet must be an IPv4 network'],
    ['an IPv6 address where IPv4 is required', () => checkIp('publicIp', 'fd42::1', 4), 'publicIp must be an IPv4 address'],
    ['an integer out of range', () => checkInteger('mtu', 10, 576, 65535), 'mtu must be an integer from 576 to 65535'],
    ['a duplicate after canonicalisation', () => checkList('ips', ['fd42::/16', 'FD42:0::/16'], checkCidr, { minLength: 0 }), 'ips lists fd42::/16 twice'],
    ['too few entries', () => checkList('ips', [], checkCidr, { minLength: 1 }), 'ips must have at least 1 entry'],
    ['a non-array', () => checkList('ips', 'x', checkCidr, { minLength: 0 }), 'ips must be an array'],
  ])('%s', (_case, check, message) => {
    expect(check).toThrow(message);
    expect(check).toThrow(WireguardInputError);
  });
});
