import { injectionsInto } from '../../../test/support/injection-payloads.js';
import { WireguardInputError } from './errors.js';
import { ifbDevice, ifbDeviceName, MAX_LIMITED_PEERS, renderShapingBatch, type LimitedPeer, type ShapingSet } from './shaping.js';

const CLEANUP_WG0 = `qdisc replace dev wg0 ingress
qdisc del dev wg0 ingress
qdisc replace dev ifb-wg0 root pfifo
qdisc del dev ifb-wg0 root
qdisc replace dev wg0 root pfifo
qdisc del dev wg0 root
`;

const DEFAULT_CLASS = (dev: string) =>
  `class add dev ${dev} parent 1: classid 1:1 htb rate 10000000kbit ceil 10000000kbit burst 12500000 cburst 12500000 quantum 1514`;

const BOTH_DIRECTIONS_TEXT = `${CLEANUP_WG0}qdisc add dev wg0 root handle 1: htb default 1
${DEFAULT_CLASS('wg0')}
class add dev wg0 parent 1: classid 1:2 htb rate 8000kbit ceil 8000kbit burst 16000 cburst 16000 quantum 1514
filter add dev wg0 parent 1: protocol ip prio 1 u32 match ip dst 10.8.0.2/32 flowid 1:2
filter add dev wg0 parent 1: protocol ipv6 prio 2 u32 match ip6 dst fd42:66:1::2/128 flowid 1:2
qdisc add dev wg0 handle ffff: ingress
filter add dev wg0 parent ffff: protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb-wg0
filter add dev wg0 parent ffff: protocol ipv6 prio 2 u32 match u32 0 0 action mirred egress redirect dev ifb-wg0
qdisc add dev ifb-wg0 root handle 1: htb default 1
${DEFAULT_CLASS('ifb-wg0')}
class add dev ifb-wg0 parent 1: classid 1:2 htb rate 4000kbit ceil 4000kbit burst 16000 cburst 16000 quantum 1514
filter add dev ifb-wg0 parent 1: protocol ip prio 1 u32 match ip src 10.8.0.2/32 flowid 1:2
filter add dev ifb-wg0 parent 1: protocol ipv6 prio 2 u32 match ip6 src fd42:66:1::2/128 flowid 1:2
`;

// Peer 0 only down, peer 1 unlimited (keeps its class id 1:3 unused), peer 2 only up at a rate whose
// 10 ms burst is above the floor: 200000 kbit → 250000 bytes.
const MIXED_TEXT = `${CLEANUP_WG0}qdisc add dev wg0 root handle 1: htb default 1
${DEFAULT_CLASS('wg0')}
class add dev wg0 parent 1: classid 1:2 htb rate 100kbit ceil 100kbit burst 16000 cburst 16000 quantum 1514
filter add dev wg0 parent 1: protocol ip prio 1 u32 match ip dst 10.8.0.2/32 flowid 1:2
qdisc add dev wg0 handle ffff: ingress
filter add dev wg0 parent ffff: protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb-wg0
filter add dev wg0 parent ffff: protocol ipv6 prio 2 u32 match u32 0 0 action mirred egress redirect dev ifb-wg0
qdisc add dev ifb-wg0 root handle 1: htb default 1
${DEFAULT_CLASS('ifb-wg0')}
class add dev ifb-wg0 parent 1: classid 1:4 htb rate 200000kbit ceil 200000kbit burst 250000 cburst 250000 quantum 1514
filter add dev ifb-wg0 parent 1: protocol ipv6 prio 2 u32 match ip6 src fd42:66:1::4/128 flowid 1:4
`;

const peer = (overrides: Partial<LimitedPeer> = {}): LimitedPeer => ({
  addresses: ['10.8.0.2/32', 'fd42:66:1::2/128'],
  downloadKbit: 8000,
  uploadKbit: 4000,
  ...overrides,
});

const set = (peers: LimitedPeer[], interfaceName = 'wg0'): ShapingSet => ({ interfaceName, peers });

describe('renderShapingBatch', () => {
  it.each([
    ['no limited peer: only the cleanup, which cannot fail', set([]), CLEANUP_WG0],
    ['one peer limited both ways, IPv4 and IPv6', set([peer()]), BOTH_DIRECTIONS_TEXT],
    ['bare addresses get their full prefix, IPv6 written canonically', set([peer({ addresses: ['10.8.0.2', 'FD42:66:1:0::2'] })]), BOTH_DIRECTIONS_TEXT],
    [
      'a peer limited one way only gets a class on that side; class ids follow the list position',
      set([
        peer({ addresses: ['10.8.0.2/32'], downloadKbit: 100, uploadKbit: null }),
        peer({ addresses: ['10.8.0.3/32'], downloadKbit: null, uploadKbit: null }),
        peer({ addresses: ['fd42:66:1::4/128'], downloadKbit: null, uploadKbit: 200_000 }),
      ]),
      MIXED_TEXT,
    ],
  ])('%s', (_name, input, expected) => {
    expect(renderShapingBatch(input)).toBe(expected);
  });

  it('renders download only: no ingress redirect and no ifb tree', () => {
    const text = renderShapingBatch(set([peer({ uploadKbit: null })]));
    expect(text.startsWith(CLEANUP_WG0)).toBe(true);
    expect(text).toContain('match ip dst 10.8.0.2/32 flowid 1:2');
    expect(text).not.toContain('ingress\nfilter');
    expect(text).not.toContain('qdisc add dev ifb-wg0');
  });

  it('writes class ids in hex, as tc reads them', () => {
    const peers = Array.from({ length: 15 }, (_, i) => peer({ addresses: [`10.8.0.${i + 2}`], uploadKbit: null }));
    const text = renderShapingBatch(set(peers));
    expect(text).toContain('classid 1:a htb');
    expect(text).toContain('match ip dst 10.8.0.16/32 flowid 1:10\n');
  });

  it('is the same text for the same input', () => {
    expect(renderShapingBatch(set([peer()]))).toBe(renderShapingBatch(set([peer()])));
  });

  it('accepts the most peers there are class ids for and refuses one more', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => peer({ addresses: [`10.${i >> 8}.${i & 255}.1`], uploadKbit: null }));
    const text = renderShapingBatch(set(many(MAX_LIMITED_PEERS)));
    expect(text).toContain('classid 1:ffff htb');
    expect(() => renderShapingBatch(set(many(MAX_LIMITED_PEERS + 1)))).toThrow(/at most 65534 limited peers/);
  });

  const refused: Array<[string, unknown, string, RegExp]> = [
    ['an interface name with a space', set([peer()], 'wg 0'), 'interfaceName', /interfaceName/],
    ['an interface name with a line break', set([peer()], 'wg0\nqdisc del dev eth0 root'), 'interfaceName', /interfaceName/],
    ['an interface name too long', set([peer()], 'wg0123456789abcd'), 'interfaceName', /1-15/],
    ['an interface name starting with -', set([peer()], '-wg0'), 'interfaceName', /interfaceName/],
    ['an interface named like an ifb', set([peer()], 'ifb-wg0'), 'interfaceName', /ifb-/],
    ['peers not an array', { interfaceName: 'wg0', peers: 'x' }, 'peers', /array/],
    ['a peer that is not an object', set([null as unknown as LimitedPeer]), 'peers[0]', /object/],
    ['a peer without addresses', set([peer({ addresses: [] })]), 'peers[0].addresses', /at least one/],
    ['an address that is not one', set([peer({ addresses: ['10.8.0.300'] })]), 'peers[0].addresses[0]', /one address/],
    ['a network instead of one address', set([peer({ addresses: ['10.8.0.0/24'] })]), 'peers[0].addresses[0]', /one address/],
    ['an address with host bits and a short prefix', set([peer({ addresses: ['10.8.0.2/24'] })]), 'peers[0].addresses[0]', /one address/],
    ['an address with a line break', set([peer({ addresses: ['10.8.0.2/32\nqdisc del dev eth0 root'] })]), 'peers[0].addresses[0]', /one line/],
    ['an address with a CR', set([peer({ addresses: ['10.8.0.2\r'] })]), 'peers[0].addresses[0]', /one line/],
    ['an address with a trailing word', set([peer({ addresses: ['10.8.0.2/32 flowid 1:1'] })]), 'peers[0].addresses[0]', /one address/],
    ['an IPv6 address with a /32 prefix', set([peer({ addresses: ['fd42:66:1::2/32'] })]), 'peers[0].addresses[0]', /one address/],
    ['an address with a leading-zero prefix', set([peer({ addresses: ['10.8.0.2/032'] })]), 'peers[0].addresses[0]', /one address/],
    ['an address given twice', set([peer(), peer({ addresses: ['10.8.0.2'] })]), 'peers[1].addresses[0]', /both list 10.8.0.2\/32/],
    ['a fractional rate', set([peer({ downloadKbit: 8000.5 })]), 'peers[0].downloadKbit', /integer/],
    ['a zero rate', set([peer({ uploadKbit: 0 })]), 'peers[0].uploadKbit', /from 1 to 10000000/],
    ['a negative rate', set([peer({ downloadKbit: -1 })]), 'peers[0].downloadKbit', /integer/],
    ['a rate above 10 Gbit/s', set([peer({ downloadKbit: 10_000_001 })]), 'peers[0].downloadKbit', /integer/],
    ['a rate as a string', set([peer({ uploadKbit: '4000' as unknown as number })]), 'peers[0].uploadKbit', /integer/],
    ['a missing rate (undefined is not null)', set([peer({ uploadKbit: undefined as unknown as null })]), 'peers[0].uploadKbit', /integer/],
    ['NaN as a rate', set([peer({ downloadKbit: Number.NaN })]), 'peers[0].downloadKbit', /integer/],
  ];

  it.each(refused)('refuses %s, naming the field', (_name, input, field, message) => {
    let error: unknown;
    try {
      renderShapingBatch(input as ShapingSet);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WireguardInputError);
    expect((error as WireguardInputError).field).toBe(field);
    expect((error as WireguardInputError).message).toMatch(message);
  });
});

// The same payloads renderers-refuse-injection.spec.ts feeds every other renderer pushed to a node.
describe('renderShapingBatch refuses a line break, NUL or "#" in any value', () => {
  const fields: Array<[string, string, (value: string) => ShapingSet]> = [
    ['interfaceName', 'wg0', (v) => set([peer()], v)],
    ['peers[0].addresses[0]', '10.8.0.2/32', (v) => set([peer({ addresses: [v, 'fd42:66:1::2/128'] })])],
    ['peers[0].addresses[1]', 'fd42:66:1::2/128', (v) => set([peer({ addresses: ['10.8.0.2/32', v] })])],
  ];
  const cases = fields.flatMap(([field, valid, build]) => injectionsInto(valid).map(([what, value]) => [field, what, build, value] as const));
  it.each(cases)('%s with %s', (_field, _what, build, value) => {
    expect(() => renderShapingBatch(build(value))).toThrow(WireguardInputError);
  });
});

describe('ifbDeviceName', () => {
  it.each([
    ['wg0', 'ifb-wg0'],
    ['wg-customer-1', 'ifb=' + 'HASH'],
    ['abcdefghijk', 'ifb-abcdefghijk'],
  ])('names the ifb of %s', (iface, expected) => {
    const name = ifbDeviceName(iface);
    if (expected.endsWith('HASH')) expect(name).toMatch(/^ifb=[0-9a-f]{11}$/);
    else expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(15);
  });

  it('hashes long names deterministically and tells them apart', () => {
    expect(ifbDeviceName('abcdefghijkl')).toBe(ifbDeviceName('abcdefghijkl'));
    expect(ifbDeviceName('abcdefghijkl')).not.toBe(ifbDeviceName('abcdefghijkm'));
    // sha256("abcdefghijkl") starts with d682ed4ca4d…
    expect(ifbDeviceName('abcdefghijkl')).toBe('ifb=d682ed4ca4d');
  });

  it.each(['ifb-x', 'ifb=x', 'wg\n0', '', 'all'])('refuses %j', (iface) => {
    expect(() => ifbDeviceName(iface)).toThrow(WireguardInputError);
  });
});

describe('ifbDevice', () => {
  it('renders ip -batch texts that create the ifb and bring it up', () => {
    expect(ifbDevice('wg0')).toEqual({
      name: 'ifb-wg0',
      createBatch: 'link add name ifb-wg0 type ifb\n',
      upBatch: 'link set dev ifb-wg0 up\n',
    });
  });

  it('refuses a bad interface name', () => {
    expect(() => ifbDevice('wg0; reboot')).toThrow(WireguardInputError);
  });
});
