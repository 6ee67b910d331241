import { clientDnsOf, forcedClientDns, type ClientDnsServer } from './client-dns.js';

const server = (overrides: Partial<ClientDnsServer> = {}): ClientDnsServer => ({
  dnsMode: 'plain',
  ipv4Subnet: '10.8.0.0/24',
  ipv6Subnet: 'fd42:66:1::/64',
  dns: ['1.1.1.1', '2606:4700:4700::1111'],
  ...overrides,
});

describe('clientDnsOf: the DNS line of every client config', () => {
  it.each([
    ['plain, a user without DNS of its own: the server’s dns', server(), null, ['1.1.1.1', '2606:4700:4700::1111']],
    ['plain, a user with its own DNS: its own', server(), ['9.9.9.9'], ['9.9.9.9']],
    ['plain, a server with no dns and a user without: none', server({ dns: [] }), null, []],
    ['tls with a v6 subnet: the server’s tunnel IPv4 and IPv6', server({ dnsMode: 'tls' }), null, ['10.8.0.1', 'fd42:66:1::1']],
    ['tls overrides a user’s own DNS', server({ dnsMode: 'tls' }), ['9.9.9.9'], ['10.8.0.1', 'fd42:66:1::1']],
    ['tls without a v6 subnet: the tunnel IPv4 only', server({ dnsMode: 'tls', ipv6Subnet: null }), null, ['10.8.0.1']],
    ['tls on another subnet: its first host', server({ dnsMode: 'tls', ipv4Subnet: '10.66.4.0/22', ipv6Subnet: 'fd42:66:4:8000::/80' }), null, ['10.66.4.1', 'fd42:66:4:8000::1']],
  ])('%s', (_what, given, own, expected) => {
    expect(clientDnsOf(given, own)).toEqual(expected);
  });

  it('forcedClientDns is null when plain (each client keeps its own) and the tunnel addresses when tls', () => {
    expect(forcedClientDns(server())).toBeNull();
    expect(forcedClientDns(server({ dnsMode: 'tls' }))).toEqual(['10.8.0.1', 'fd42:66:1::1']);
  });
});
