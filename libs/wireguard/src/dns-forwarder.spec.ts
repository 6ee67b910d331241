import { injectionsInto } from '../../../test/support/injection-payloads.js';
import { DEFAULT_CA_BUNDLE, dnsForwarderPaths, renderDnsForwarderConfig, type DnsForwarderSet, type DnsTlsUpstream } from './dns-forwarder.js';
import { WireguardInputError } from './errors.js';

const V4_ONLY: DnsForwarderSet = {
  interfaceName: 'wg0',
  tunnelIpv4: '10.8.0.1',
  allowedSubnets: ['10.8.0.0/24'],
  upstreams: [{ address: '1.1.1.1', tlsName: 'cloudflare-dns.com' }],
  runtimeDirectory: '/run/wgfleet-dns',
};

const DUAL_STACK: DnsForwarderSet = {
  interfaceName: 'wg7',
  tunnelIpv4: '10.9.0.1',
  tunnelIpv6: 'FD42:66:0001::1',
  allowedSubnets: ['10.9.0.0/24', 'fd42:66:1::/64'],
  upstreams: [
    { address: '1.1.1.1', tlsName: 'cloudflare-dns.com' },
    { address: '2606:4700:4700:0::1111', tlsName: 'Cloudflare-DNS.com.', port: 853 },
    { address: '9.9.9.9', tlsName: 'dns.quad9.net', port: 8853 },
    { address: '2001:4860:4860::8888', tlsName: 'dns.google', port: null },
  ],
  caBundle: '/etc/wgfleet/lab-ca.pem',
  runtimeDirectory: '/run/wgfleet-dns/',
};

const SERVER_HARDENING = `  do-not-query-localhost: yes
  module-config: "iterator"
  hide-identity: yes
  hide-version: yes
  harden-glue: yes
  harden-below-nxdomain: yes
  harden-short-bufsize: yes
  harden-large-queries: yes
  minimal-responses: yes
  qname-minimisation: yes
  rrset-roundrobin: yes
  prefetch: yes
`;

const V4_ONLY_TEXT = `server:
  verbosity: 1
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "/run/wgfleet-dns"
  pidfile: "/run/wgfleet-dns/unbound-wg0.pid"
  interface-automatic: no
  ip-freebind: yes
  port: 53
  interface: 10.8.0.1@53
  do-ip4: yes
  do-ip6: yes
  do-udp: yes
  do-tcp: yes
  access-control: 0.0.0.0/0 refuse
  access-control: ::/0 refuse
  access-control: 10.8.0.0/24 allow
${SERVER_HARDENING}  tls-cert-bundle: "/etc/ssl/certs/ca-certificates.crt"

remote-control:
  control-enable: no

forward-zone:
  name: "."
  forward-first: no
  forward-tls-upstream: yes
  forward-addr: 1.1.1.1@853#cloudflare-dns.com
`;

const DUAL_STACK_TEXT = `server:
  verbosity: 1
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "/run/wgfleet-dns"
  pidfile: "/run/wgfleet-dns/unbound-wg7.pid"
  interface-automatic: no
  ip-freebind: yes
  port: 53
  interface: 10.9.0.1@53
  interface: fd42:66:1::1@53
  do-ip4: yes
  do-ip6: yes
  do-udp: yes
  do-tcp: yes
  access-control: 0.0.0.0/0 refuse
  access-control: ::/0 refuse
  access-control: 10.9.0.0/24 allow
  access-control: fd42:66:1::/64 allow
${SERVER_HARDENING}  tls-cert-bundle: "/etc/wgfleet/lab-ca.pem"

remote-control:
  control-enable: no

forward-zone:
  name: "."
  forward-first: no
  forward-tls-upstream: yes
  forward-addr: 1.1.1.1@853#cloudflare-dns.com
  forward-addr: 2606:4700:4700::1111@853#cloudflare-dns.com
  forward-addr: 9.9.9.9@8853#dns.quad9.net
  forward-addr: 2001:4860:4860::8888@853#dns.google
`;

const upstream = (overrides: Partial<DnsTlsUpstream>): DnsTlsUpstream => ({ address: '1.1.1.1', tlsName: 'cloudflare-dns.com', ...overrides });
const withUpstream = (overrides: Partial<DnsTlsUpstream>): DnsForwarderSet => ({ ...V4_ONLY, upstreams: [upstream(overrides)] });

function refusal(set: unknown): WireguardInputError {
  try {
    renderDnsForwarderConfig(set as DnsForwarderSet);
  } catch (error) {
    if (error instanceof WireguardInputError) return error;
    throw error;
  }
  throw new Error('renderDnsForwarderConfig accepted the input');
}

describe('renderDnsForwarderConfig', () => {
  it.each([
    ['a v4-only server with one resolver and the system CA bundle', V4_ONLY, V4_ONLY_TEXT],
    ['a v4+v6 server with four resolvers, canonical addresses and names, and a given bundle', DUAL_STACK, DUAL_STACK_TEXT],
  ])('renders exactly the unbound.conf of %s', (_what, set, text) => {
    expect(renderDnsForwarderConfig(set)).toBe(text);
  });

  it('renders the same text for the same input (deterministic)', () => {
    expect(renderDnsForwarderConfig(structuredClone(DUAL_STACK))).toBe(renderDnsForwarderConfig(DUAL_STACK));
  });

  it('uses port 853 when a resolver gives none, and the given port otherwise', () => {
    expect(renderDnsForwarderConfig(withUpstream({}))).toContain('\n  forward-addr: 1.1.1.1@853#cloudflare-dns.com\n');
    expect(renderDnsForwarderConfig(withUpstream({ port: 443 }))).toContain('\n  forward-addr: 1.1.1.1@443#cloudflare-dns.com\n');
  });

  it('falls back to the system CA bundle when caBundle is null', () => {
    expect(renderDnsForwarderConfig({ ...V4_ONLY, caBundle: null })).toContain(`tls-cert-bundle: "${DEFAULT_CA_BUNDLE}"`);
  });

  it.each<[string, unknown, string]>([
    ['a non-object', 'wg0', 'set'],
    ['a bad interface name', { ...V4_ONLY, interfaceName: '-wg0' }, 'interfaceName'],
    ['an overlong interface name', { ...V4_ONLY, interfaceName: 'wg0123456789abcd' }, 'interfaceName'],
    ['an IPv6 tunnelIpv4', { ...V4_ONLY, tunnelIpv4: 'fd42::1' }, 'tunnelIpv4'],
    ['a tunnelIpv4 with a prefix', { ...V4_ONLY, tunnelIpv4: '10.8.0.1/24' }, 'tunnelIpv4'],
    ['an IPv4 tunnelIpv6', { ...V4_ONLY, tunnelIpv6: '10.8.0.1' }, 'tunnelIpv6'],
    ['no allowed subnet', { ...V4_ONLY, allowedSubnets: [] }, 'allowedSubnets'],
    ['a bad allowed subnet', { ...V4_ONLY, allowedSubnets: ['10.8.0.0/33'] }, 'allowedSubnets[0]'],
    ['a duplicate allowed subnet', { ...V4_ONLY, allowedSubnets: ['10.8.0.0/24', '10.8.0.5/24'] }, 'allowedSubnets[1]'],
    ['no upstreams array', { ...V4_ONLY, upstreams: undefined }, 'upstreams'],
    ['zero resolvers', { ...V4_ONLY, upstreams: [] }, 'upstreams'],
    ['five resolvers', { ...V4_ONLY, upstreams: ['1.1.1.1', '1.0.0.1', '9.9.9.9', '8.8.8.8', '8.8.4.4'].map((address) => upstream({ address })) }, 'upstreams'],
    ['a resolver that is not an object', { ...V4_ONLY, upstreams: ['1.1.1.1'] }, 'upstreams[0]'],
    ['a resolver given by name', withUpstream({ address: 'one.one.one.one' }), 'upstreams[0].address'],
    ['a resolver address with a port', withUpstream({ address: '1.1.1.1:853' }), 'upstreams[0].address'],
    ['a resolver address out of range', withUpstream({ address: '1.1.1.256' }), 'upstreams[0].address'],
    ['a resolver address with a prefix', withUpstream({ address: '1.1.1.0/24' }), 'upstreams[0].address'],
    ['the same resolver twice', { ...V4_ONLY, upstreams: [upstream({}), upstream({ port: 853 })] }, 'upstreams[1]'],
    ['a TLS name with a space', withUpstream({ tlsName: 'cloudflare dns.com' }), 'upstreams[0].tlsName'],
    ['a TLS name with a quote', withUpstream({ tlsName: 'cloudflare-dns.com"' }), 'upstreams[0].tlsName'],
    ['a TLS name with "@"', withUpstream({ tlsName: 'cloudflare-dns.com@53' }), 'upstreams[0].tlsName'],
    ['a TLS name with "#"', withUpstream({ tlsName: 'cloudflare-dns.com#x' }), 'upstreams[0].tlsName'],
    ['a TLS name that is an IP address', withUpstream({ tlsName: '1.1.1.1' }), 'upstreams[0].tlsName'],
    ['a single-label TLS name', withUpstream({ tlsName: 'localhost' }), 'upstreams[0].tlsName'],
    ['an empty TLS name', withUpstream({ tlsName: '' }), 'upstreams[0].tlsName'],
    ['a TLS name that is not a string', withUpstream({ tlsName: 42 as unknown as string }), 'upstreams[0].tlsName'],
    ['port 0', withUpstream({ port: 0 }), 'upstreams[0].port'],
    ['port 65536', withUpstream({ port: 65536 }), 'upstreams[0].port'],
    ['a fractional port', withUpstream({ port: 853.5 }), 'upstreams[0].port'],
    ['a port given as text', withUpstream({ port: '853' as unknown as number }), 'upstreams[0].port'],
    ['a relative runtime directory', { ...V4_ONLY, runtimeDirectory: 'run/dns' }, 'runtimeDirectory'],
    ['a runtime directory with ".."', { ...V4_ONLY, runtimeDirectory: '/run/../etc' }, 'runtimeDirectory'],
    ['a runtime directory with a quote', { ...V4_ONLY, runtimeDirectory: '/run/"x' }, 'runtimeDirectory'],
    ['a CA bundle with a space', { ...V4_ONLY, caBundle: '/etc/ssl/my ca.pem' }, 'caBundle'],
    ['a relative CA bundle', { ...V4_ONLY, caBundle: 'ca.pem' }, 'caBundle'],
  ])('refuses %s, naming the field', (_what, set, field) => {
    expect(refusal(set).field).toBe(field);
  });

  // Each interpolated value with a line break, NUL, U+2028, "#" or a quote appended: a second
  // forward-addr without TLS, or a second interface on the public address, must never get in.
  const fields: Array<[string, string, (value: string) => DnsForwarderSet]> = [
    ['interfaceName', 'wg0', (v) => ({ ...V4_ONLY, interfaceName: v })],
    ['tunnelIpv4', '10.8.0.1', (v) => ({ ...V4_ONLY, tunnelIpv4: v })],
    ['tunnelIpv6', 'fd42:66:1::1', (v) => ({ ...V4_ONLY, tunnelIpv6: v })],
    ['allowedSubnets[0]', '10.8.0.0/24', (v) => ({ ...V4_ONLY, allowedSubnets: [v] })],
    ['upstreams[0].address', '1.1.1.1', (v) => withUpstream({ address: v })],
    ['upstreams[0].tlsName', 'cloudflare-dns.com', (v) => withUpstream({ tlsName: v })],
    ['caBundle', '/etc/ssl/certs/ca-certificates.crt', (v) => ({ ...V4_ONLY, caBundle: v })],
    ['runtimeDirectory', '/run/wgfleet-dns', (v) => ({ ...V4_ONLY, runtimeDirectory: v })],
  ];
  const injections = fields.flatMap(([field, valid, build]) => [
    ...injectionsInto(valid).map(([what, value]) => [field, what, build(value)] as const),
    [field, 'a double quote', build(`${valid}"`)] as const,
    [field, 'a directive after LF', build(`${valid}\nforward-addr: 198.51.100.1@53`)] as const,
  ]);
  it.each(injections)('refuses %s with %s', (field, _what, set) => {
    expect(refusal(set).field).toBe(field);
  });
});

describe('dnsForwarderPaths', () => {
  it('names the config and pid file after the interface, inside the runtime directory', () => {
    expect(dnsForwarderPaths('/run/wgfleet-dns/', 'wg0')).toEqual({
      configFile: '/run/wgfleet-dns/unbound-wg0.conf',
      pidFile: '/run/wgfleet-dns/unbound-wg0.pid',
    });
  });

  it('puts the pid file it names into the rendered config', () => {
    const { pidFile } = dnsForwarderPaths(DUAL_STACK.runtimeDirectory, DUAL_STACK.interfaceName);
    expect(renderDnsForwarderConfig(DUAL_STACK)).toContain(`\n  pidfile: "${pidFile}"\n`);
  });
});
