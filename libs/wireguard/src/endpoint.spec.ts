import { isValidEndpoint, isValidHostname, tryParseEndpoint } from './endpoint.js';

describe('tryParseEndpoint', () => {
  it.each([
    ['198.18.1.2:51820', { host: '198.18.1.2', port: 51820 }],
    ['vpn.example.com:51820', { host: 'vpn.example.com', port: 51820 }],
    ['localhost:1', { host: 'localhost', port: 1 }],
    ['[fd42:66::1]:51820', { host: 'fd42:66::1', port: 51820 }],
    ['[FD42:0066::0001]:65535', { host: 'fd42:66::1', port: 65535 }],
  ])('reads %s', (text, expected) => {
    expect(tryParseEndpoint(text)).toEqual(expected);
  });

  it.each([
    ['no port', '198.18.1.2'],
    ['port 0', '198.18.1.2:0'],
    ['port above 65535', '198.18.1.2:65536'],
    ['a leading zero in the port', '198.18.1.2:051820'],
    ['an empty host', ':51820'],
    ['IPv6 without brackets', 'fd42::1:51820'],
    ['IPv4 in brackets', '[198.18.1.2]:51820'],
    ['a bad IPv4 that looks like a hostname', '198.18.1.256:51820'],
    ['a hostname label starting with "-"', '-vpn.example.com:51820'],
    ['an underscore in the hostname', 'vpn_1.example.com:51820'],
    ['a space', 'vpn example.com:51820'],
    ['a newline', 'vpn.example.com:51820\nPostUp = id'],
  ])('refuses %s', (_case, text) => {
    expect(tryParseEndpoint(text)).toBeNull();
    expect(isValidEndpoint(text)).toBe(false);
  });
});

describe('isValidHostname', () => {
  it.each([
    ['example.com', true],
    ['a-b.example', true],
    [`${'a'.repeat(63)}.com`, true],
    [`${'a'.repeat(64)}.com`, false],
    [`${'a.'.repeat(126)}com`, false],
    ['example..com', false],
    ['example.com.', false],
    ['10.8.0.1', false],
    ['', false],
    [null, false],
  ])('%j → %s', (value, expected) => {
    expect(isValidHostname(value)).toBe(expected);
  });
});
