import { WireguardInputError } from './errors.js';
import {
  IPTABLES_RESTORE_ARGV,
  portForwardChains,
  renderPortForwardRules,
  type PortForwardRule,
  type PortForwardSet,
} from './port-forward-rules.js';

const rule = (overrides: Partial<PortForwardRule> = {}): PortForwardRule => ({
  id: 7,
  publicIp: '198.18.1.2',
  externalPort: 8080,
  targetIp: '10.8.0.2',
  internalPort: 80,
  protocol: 'tcp',
  ...overrides,
});

const set = (forwards: PortForwardRule[], overrides: Partial<PortForwardSet> = {}): PortForwardSet => ({
  interfaceName: 'wg0',
  serverTunnelIp: '10.8.0.1',
  forwards,
  ...overrides,
});

const EMPTY_TEXT = `*nat
:WGF-PRE-wg0 - [0:0]
:WGF-POST-wg0 - [0:0]
COMMIT
*filter
:WGF-FWD-wg0 - [0:0]
-A WGF-FWD-wg0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;

const TCP_TEXT = `*nat
:WGF-PRE-wg0 - [0:0]
:WGF-POST-wg0 - [0:0]
-A WGF-PRE-wg0 -d 198.18.1.2/32 -p tcp -m tcp --dport 8080 -m comment --comment "wgfleet-pf-7" -j DNAT --to-destination 10.8.0.2:80
-A WGF-POST-wg0 -d 10.8.0.2/32 -o wg0 -p tcp -m tcp --dport 80 -m comment --comment "wgfleet-pf-7" -j SNAT --to-source 10.8.0.1
COMMIT
*filter
:WGF-FWD-wg0 - [0:0]
-A WGF-FWD-wg0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A WGF-FWD-wg0 -d 10.8.0.2/32 -o wg0 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -m comment --comment "wgfleet-pf-7" -j ACCEPT
COMMIT
`;

const UDP_TEXT = `*nat
:WGF-PRE-wg1 - [0:0]
:WGF-POST-wg1 - [0:0]
-A WGF-PRE-wg1 -d 198.18.1.2/32 -p udp -m udp --dport 27015 -m comment --comment "wgfleet-pf-3" -j DNAT --to-destination 10.9.0.5:27016
-A WGF-POST-wg1 -d 10.9.0.5/32 -o wg1 -p udp -m udp --dport 27016 -m comment --comment "wgfleet-pf-3" -j SNAT --to-source 10.9.0.1
COMMIT
*filter
:WGF-FWD-wg1 - [0:0]
-A WGF-FWD-wg1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A WGF-FWD-wg1 -d 10.9.0.5/32 -o wg1 -p udp -m udp --dport 27016 -m conntrack --ctstate NEW -m comment --comment "wgfleet-pf-3" -j ACCEPT
COMMIT
`;

const BOTH_TEXT = `*nat
:WGF-PRE-wg0 - [0:0]
:WGF-POST-wg0 - [0:0]
-A WGF-PRE-wg0 -d 198.18.1.2/32 -p tcp -m tcp --dport 8080 -m comment --comment "wgfleet-pf-7" -j DNAT --to-destination 10.8.0.2:80
-A WGF-PRE-wg0 -d 198.18.1.2/32 -p udp -m udp --dport 8080 -m comment --comment "wgfleet-pf-7" -j DNAT --to-destination 10.8.0.2:80
-A WGF-POST-wg0 -d 10.8.0.2/32 -o wg0 -p tcp -m tcp --dport 80 -m comment --comment "wgfleet-pf-7" -j SNAT --to-source 10.8.0.1
-A WGF-POST-wg0 -d 10.8.0.2/32 -o wg0 -p udp -m udp --dport 80 -m comment --comment "wgfleet-pf-7" -j SNAT --to-source 10.8.0.1
COMMIT
*filter
:WGF-FWD-wg0 - [0:0]
-A WGF-FWD-wg0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A WGF-FWD-wg0 -d 10.8.0.2/32 -o wg0 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -m comment --comment "wgfleet-pf-7" -j ACCEPT
-A WGF-FWD-wg0 -d 10.8.0.2/32 -o wg0 -p udp -m udp --dport 80 -m conntrack --ctstate NEW -m comment --comment "wgfleet-pf-7" -j ACCEPT
COMMIT
`;

describe('renderPortForwardRules', () => {
  it.each([
    ['no forwards: the chains are still declared, so they get emptied', set([]), EMPTY_TEXT],
    ['one tcp forward', set([rule()]), TCP_TEXT],
    [
      'one udp forward on another interface',
      set([rule({ id: 3, externalPort: 27015, targetIp: '10.9.0.5', internalPort: 27016, protocol: 'udp' })], {
        interfaceName: 'wg1',
        serverTunnelIp: '10.9.0.1',
      }),
      UDP_TEXT,
    ],
    ['"both" as a tcp and a udp rule in each chain', set([rule({ protocol: 'both' })]), BOTH_TEXT],
  ])('renders %s', (_case, input, text) => {
    expect(renderPortForwardRules(input)).toBe(text);
  });

  it('orders rules by id whatever the input order', () => {
    const forwards = [rule({ id: 30, externalPort: 3030 }), rule({ id: 4, externalPort: 404 }), rule({ id: 12, externalPort: 1212 })];
    const text = renderPortForwardRules(set(forwards));
    const dnatIds = [...text.matchAll(/-A WGF-PRE-wg0 .*"wgfleet-pf-(\d+)"/g)].map((match) => Number(match[1]));
    expect(dnatIds).toEqual([4, 12, 30]);
    expect(renderPortForwardRules(set([...forwards].reverse()))).toBe(text);
  });

  it('renders the same text twice (re-applying rebuilds identical chains)', () => {
    const input = set([rule({ id: 2, protocol: 'both' }), rule({ id: 1, externalPort: 2222, internalPort: 22 })]);
    expect(renderPortForwardRules(input)).toBe(renderPortForwardRules(input));
  });

  it('does not mutate the caller’s forwards array', () => {
    const forwards = [rule({ id: 2, externalPort: 2 }), rule({ id: 1, externalPort: 1 })];
    renderPortForwardRules(set(forwards));
    expect(forwards.map((forward) => forward.id)).toEqual([2, 1]);
  });

  it('keeps the jumps from built-in chains out of the text (--noflush would append them again)', () => {
    expect(renderPortForwardRules(set([rule()]))).not.toMatch(/PREROUTING|POSTROUTING|-A FORWARD/);
  });

  it.each([
    ['set', null],
    ['interfaceName', set([], { interfaceName: 'wg0 -j ACCEPT' })],
    ['interfaceName', set([], { interfaceName: 'wg+' })],
    ['interfaceName', set([], { interfaceName: '-wg0' })],
    ['interfaceName', set([], { interfaceName: 'a-very-long-name0' })],
    ['serverTunnelIp', set([], { serverTunnelIp: 'fd42::1' })],
    ['serverTunnelIp', set([], { serverTunnelIp: '10.8.0.1\nCOMMIT' })],
    ['forwards', set(null as unknown as PortForwardRule[])],
    ['forwards[0]', set([null as unknown as PortForwardRule])],
    ['forwards[0].id', set([rule({ id: 0 })])],
    ['forwards[0].id', set([rule({ id: 1.5 })])],
    ['forwards[0].id', set([rule({ id: '7' as unknown as number })])],
    ['forwards[1].id', set([rule({ id: 7 }), rule({ id: 7, externalPort: 9090 })])],
    ['forwards[0].publicIp', set([rule({ publicIp: '198.18.1.2/32' })])],
    ['forwards[0].publicIp', set([rule({ publicIp: '2001:db8::1' })])],
    ['forwards[0].targetIp', set([rule({ targetIp: '10.8.0.2 -j ACCEPT' })])],
    ['forwards[0].externalPort', set([rule({ externalPort: 0 })])],
    ['forwards[0].externalPort', set([rule({ externalPort: 65536 })])],
    ['forwards[0].internalPort', set([rule({ internalPort: 80.5 })])],
    ['forwards[0].protocol', set([rule({ protocol: 'TCP' as 'tcp' })])],
    ['forwards[0].protocol', set([rule({ protocol: 'icmp' as 'tcp' })])],
    ['forwards[0].protocol', set([rule({ protocol: 'toString' as 'tcp' })])],
  ])('refuses a bad %s', (field, input) => {
    expect(() => renderPortForwardRules(input as PortForwardSet)).toThrow(WireguardInputError);
    expect(() => renderPortForwardRules(input as PortForwardSet)).toThrow(expect.objectContaining({ field }));
  });

  it.each([
    ['the same port and protocol', [rule({ id: 1 }), rule({ id: 2, targetIp: '10.8.0.3' })]],
    ['"both" overlapping a udp forward', [rule({ id: 1, protocol: 'udp' }), rule({ id: 2, protocol: 'both', targetIp: '10.8.0.3' })]],
  ])('refuses two forwards of one public ip:port with %s (the second could never match)', (_case, forwards) => {
    expect(() => renderPortForwardRules(set(forwards))).toThrow('forwards 1 and 2 both use 198.18.1.2:8080/');
  });

  it('allows one public port forwarded separately for tcp and udp', () => {
    const text = renderPortForwardRules(set([rule({ id: 1, protocol: 'tcp' }), rule({ id: 2, protocol: 'udp', targetIp: '10.8.0.3' })]));
    expect(text.split('\n').filter((line) => line.includes('-j DNAT'))).toHaveLength(2);
  });
});

describe('portForwardChains', () => {
  it('names the three chains and where each is jumped to from', () => {
    expect(portForwardChains('wg0')).toEqual([
      { table: 'nat', builtinChain: 'PREROUTING', chain: 'WGF-PRE-wg0' },
      { table: 'nat', builtinChain: 'POSTROUTING', chain: 'WGF-POST-wg0' },
      { table: 'filter', builtinChain: 'FORWARD', chain: 'WGF-FWD-wg0' },
    ]);
  });

  it.each([['wg0'], ['fifteen-chars-x'], ['a']])('keeps chain names within iptables’ 28 characters for %s', (name) => {
    for (const jump of portForwardChains(name)) expect(jump.chain.length).toBeLessThanOrEqual(28);
  });

  it.each([[''], ['wg0;reboot'], ['sixteen-chars-xx'], ['wg+']])('refuses the interface name %j', (name) => {
    expect(() => portForwardChains(name)).toThrow(expect.objectContaining({ field: 'interfaceName' }));
  });
});

describe('IPTABLES_RESTORE_ARGV', () => {
  it('is iptables-restore --noflush and cannot be changed', () => {
    expect(IPTABLES_RESTORE_ARGV).toEqual(['iptables-restore', '--noflush']);
    expect(Object.isFrozen(IPTABLES_RESTORE_ARGV)).toBe(true);
  });
});
