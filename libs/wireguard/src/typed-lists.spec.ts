import { WireguardInputError } from './errors.js';
import { INJECTIONS } from '../../../test/support/injection-payloads.js';
import { checkDnsText, checkEndpointHost, checkNetworkText, dnsEntriesOf, networksOf } from './typed-lists.js';


describe('typed lists keep the text as typed when every item is valid', () => {
  it.each([
    ['checkDnsText, one server', () => checkDnsText('DNS', '1.1.1.1'), '1.1.1.1'],
    ['checkDnsText, spaces kept', () => checkDnsText('DNS', '1.1.1.1, 8.8.8.8 ,corp.example'), '1.1.1.1, 8.8.8.8 ,corp.example'],
    ['checkDnsText, none', () => checkDnsText('DNS', ''), ''],
    ['checkDnsText, IPv6', () => checkDnsText('DNS', '2606:4700:4700::1111'), '2606:4700:4700::1111'],
    ['checkNetworkText', () => checkNetworkText('AllowedIPs', '0.0.0.0/0, ::/0'), '0.0.0.0/0, ::/0'],
    ['checkNetworkText, host bits and a bare address', () => checkNetworkText('AllowedIPs', '10.0.0.1/24,10.0.1.1'), '10.0.0.1/24,10.0.1.1'],
    ['checkEndpointHost, IPv4', () => checkEndpointHost('host', '172.16.77.1'), '172.16.77.1'],
    ['checkEndpointHost, IPv6', () => checkEndpointHost('host', 'fd42::1'), 'fd42::1'],
    ['checkEndpointHost, a name', () => checkEndpointHost('host', 'vpn.example.com'), 'vpn.example.com'],
    ['checkEndpointHost, unknown', () => checkEndpointHost('host', ''), ''],
  ])('%s', (_case, check, expected) => {
    expect(check()).toBe(expected);
  });

  it.each([
    ['dnsEntriesOf', () => dnsEntriesOf('DNS', ' 1.1.1.1 ,2606:4700:4700:0::1111, corp.example'), ['1.1.1.1', '2606:4700:4700::1111', 'corp.example']],
    ['dnsEntriesOf, none', () => dnsEntriesOf('DNS', ''), []],
    ['networksOf clears host bits as wg does', () => networksOf('AllowedIPs', '10.0.0.1/24, 10.0.1.1,FD42::1/64'), ['10.0.0.0/24', '10.0.1.1/32', 'fd42::/64']],
  ])('%s gives the canonical entries', (_case, read, expected) => {
    expect(read()).toEqual(expected);
  });
});

describe('typed lists refuse what is not a value of their line', () => {
  const checks = [
    ['checkDnsText', checkDnsText],
    ['checkNetworkText', (field: string, value: unknown) => checkNetworkText(field, String(value).replace('1.1.1.1', '0.0.0.0/0'))],
    ['checkEndpointHost', checkEndpointHost],
  ] as const;
  const cases = checks.flatMap(([name, check]) => INJECTIONS.map(([what, value]) => [name, what, check, value] as const));

  it.each(cases)('%s refuses %s', (_name, _what, check, value) => {
    expect(() => check('field', value)).toThrow(WireguardInputError);
  });

  it.each([
    ['words with spaces (not one DNS address)', () => checkDnsText('DNS', 'not a dns'), 'DNS[0] must be a DNS server address'],
    ['an empty item', () => checkDnsText('DNS', '1.1.1.1,'), 'DNS[1] must be a DNS server address'],
    ['spaces only', () => checkDnsText('DNS', '   '), 'DNS[0] must be a DNS server address'],
    ['a directive without a line break', () => checkDnsText('DNS', '1.1.1.1 PostUp = id'), 'DNS[0] must be a DNS server address'],
    ['a non-string', () => checkDnsText('DNS', ['1.1.1.1']), 'DNS must be a string'],
    ['no network', () => checkNetworkText('AllowedIPs', ''), 'AllowedIPs must list networks'],
    ['a network with spaces inside', () => checkNetworkText('AllowedIPs', '0.0.0.0/ 0'), 'AllowedIPs must list networks'],
    ['a host with a port', () => checkEndpointHost('host', 'vpn.example.com:51820'), 'host must be an IP address or a host name'],
  ])('%s', (_case, check, message) => {
    expect(check).toThrow(message);
  });
});
