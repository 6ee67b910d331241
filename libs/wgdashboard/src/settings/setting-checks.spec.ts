import { confPathProblem, dnsAddressProblem, endpointAllowedIpProblem, remoteEndpointProblem, wholeNumberProblem } from './setting-checks.js';

describe('dashboard setting checks', () => {
  // Right-hand sides: upstream's ValidateDNSAddress on Python 3.11.7, except where marked.
  it.each([
    ['1.1.1.1', null],
    ['1.1.1.1, 8.8.8.8', null],
    ['dns.example.com', null],
    ['', null],
    ['not a dns', 'notadns does not appear to be an valid DNS address'],
    ['1.1.1.1,', ' does not appear to be an valid DNS address'],
    [' ', ' does not appear to be an valid DNS address'],
    ['a.b', 'a.b does not appear to be an valid DNS address'],
    ['Example.COM', 'Example.COM does not appear to be an valid DNS address'],
    // Deviation: upstream searches for a host name inside the entry and accepts this one.
    ['x.com\nPostUp=1', 'x.com\nPostUp=1 does not appear to be an valid DNS address'],
    // Deviation: upstream drops every space first; an item is checked as it will be written.
    ['1.1. 1.1', '1.1. 1.1 does not appear to be an valid DNS address'],
    ['1.1.1.1, 8.8.8. 8', '8.8.8. 8 does not appear to be an valid DNS address'],
  ])('peer_global_dns %j → %j', (value, problem) => {
    expect(dnsAddressProblem(value)).toBe(problem);
  });

  // Right-hand sides: str(exception) of ipaddress.ip_network(piece.strip(), strict=False) on Python 3.11.7.
  it.each([
    ['0.0.0.0/0', null],
    ['10.0.0.0/8, 192.168.0.0/16', null],
    // Deviation: Python strips these around an item, but they would reach a client's file as typed.
    ['\u00a010.0.0.0/8\u2003', "'\\xa010.0.0.0/8\\u2003' does not appear to be an IPv4 or IPv6 network"],
    ['\u001c10.0.0.0/8', "'\\x1c10.0.0.0/8' does not appear to be an IPv4 or IPv6 network"],
    ['0.0.0.0/0\n', "'0.0.0.0/0\\n' does not appear to be an IPv4 or IPv6 network"],
    ['0.0.0.0/0, ::/0\u2028', "'::/0\\u2028' does not appear to be an IPv4 or IPv6 network"],
    ['abc', "'abc' does not appear to be an IPv4 or IPv6 network"],
    ['0.0.0.0/0,', "'' does not appear to be an IPv4 or IPv6 network"],
    ["it's", `"it's" does not appear to be an IPv4 or IPv6 network`],
  ])('peer_endpoint_allowed_ip %j → %j', (value, problem) => {
    expect(endpointAllowedIpProblem(value)).toBe(problem);
  });

  it('takes an absolute path for wg_conf_path without looking at this machine’s disk', () => {
    expect(confPathProblem('/nowhere/at/all')).toBeNull();
    expect(confPathProblem('etc/wireguard')).toBe('etc/wireguard is not a valid path');
    expect(confPathProblem('/etc/\nwireguard')).toBe('/etc/\nwireguard is not a valid path');
  });

  it('takes an IP address or a host name as remote_endpoint, nothing that would break a client file', () => {
    for (const good of ['198.51.100.7', '2001:db8::1', 'vpn.example.com', 'localhost']) expect(remoteEndpointProblem(good)).toBeNull();
    for (const bad of ['', 'vpn.example.com:51820', 'a b', 'x\nPostUp = id', '-x.example.com']) {
      expect(remoteEndpointProblem(bad)).toBe(`${bad} is not a valid remote endpoint: send an IP address or a host name`);
    }
  });

  it('takes the MTU as the whole number addPeers accepts', () => {
    const check = wholeNumberProblem('peer_mtu', 1460);
    for (const good of ['0', '1280', '1460']) expect(check(good)).toBeNull();
    for (const bad of ['1461', '-1', '1420.5', ' 1420', 'true', '']) expect(check(bad)).toBe('peer_mtu must be a whole number from 0 to 1460');
  });
});
