import { generateKeyPair } from '@wgfleet/wireguard';
import { NEEDS_IPV4 } from './add-peers-plan.js';
import { addressPools } from './available-ips.js';
import { planPeerUpdate } from './peer-update-plan.js';
import { injectionsInto } from '../../../../test/support/injection-payloads.js';

const pair = generateKeyPair();
const context = { publicKey: pair.publicKey, pools: addressPools(['10.66.7.1/24', 'fd42:66::1/64']), otherAllowedIps: ['10.66.7.3/32, fd42:66::3/128'] };
const body = {
  name: 'peer',
  private_key: pair.privateKey,
  DNS: '1.1.1.1, dns.example',
  allowed_ip: '10.66.7.2/32',
  endpoint_allowed_ip: '0.0.0.0/0, ::/0',
  preshared_key: '',
  mtu: 1400,
  keepalive: 25,
};

describe('planPeerUpdate (notes §2.18)', () => {
  it('takes a valid change: own addresses split from routed networks, empty keys as none', () => {
    const plan = planPeerUpdate({ ...body, allowed_ip: '10.66.7.2/32, fd42:66::2/128, 192.168.9.0/24' }, context);
    expect(plan).toEqual({
      ok: true,
      change: {
        name: 'peer',
        privateKey: pair.privateKey,
        presharedKey: null,
        ipv4: '10.66.7.2',
        ipv6: 'fd42:66::2',
        routedIps: ['192.168.9.0/24'],
        dns: '1.1.1.1, dns.example',
        endpointAllowedIp: '0.0.0.0/0, ::/0',
        mtu: 1400,
        keepalive: 25,
      },
    });
  });

  it.each([
    ['an allowed_ip item of another peer', { allowed_ip: 'fd42:66::3/128' }, 'Allowed IP already taken by another peer'],
    ['endpoint_allowed_ip with host bits', { endpoint_allowed_ip: '10.0.0.1/8' }, 'Endpoint Allowed IPs format is incorrect'],
    ['a DNS entry with a newline', { DNS: '1.1.1.1\nPostUp = id' }, 'DNS format is incorrect'],
    ['words with spaces as DNS (upstream stores them)', { DNS: 'not a dns' }, 'DNS format is incorrect'],
    ['endpoint_allowed_ip with spaces inside a network', { endpoint_allowed_ip: '0.0.0.0/ 0' }, 'Endpoint Allowed IPs format is incorrect'],
    ['mtu above 1460', { mtu: 1461 }, 'MTU format is not correct'],
    ['mtu as text', { mtu: '1400' }, 'MTU format is not correct'],
    ['a negative keepalive', { keepalive: -1 }, 'Persistent Keepalive format is not correct'],
    ['another key pair’s private key', { private_key: generateKeyPair().privateKey }, 'Private key does not match with the public key'],
    ['a private key that is no key', { private_key: 'x;id' }, 'Private key does not match with the public key'],
    ['a preshared key that is no key', { preshared_key: 'abc' }, 'Please provide a valid preshared key (32 bytes, base64) or an empty one'],
    ['shell text in allowed_ip', { allowed_ip: '10.66.7.2/32;sleep${IFS}5' }, 'Update peer failed when updating Allowed IPs'],
    ['no IPv4 address of the configuration', { allowed_ip: '10.99.0.2/32' }, NEEDS_IPV4],
    ['a non-text name', { name: 5 }, 'Please provide name, private_key and preshared_key as text'],
  ])('refuses %s, in upstream’s order', (_, change, message) => {
    expect(planPeerUpdate({ ...body, ...change }, context)).toEqual({ ok: false, message });
  });
});

describe('planPeerUpdate refuses what would add a line to the peer’s file', () => {
  const cases = [
    ...injectionsInto('1.1.1.1').map(([what, value]) => ['DNS', what, { DNS: value }, 'DNS format is incorrect'] as const),
    ...injectionsInto('0.0.0.0/0').map(([what, value]) => ['endpoint_allowed_ip', what, { endpoint_allowed_ip: value }, 'Endpoint Allowed IPs format is incorrect'] as const),
  ];
  it.each(cases)('%s with %s', (_field, _what, change, message) => {
    expect(planPeerUpdate({ ...body, ...change }, context)).toEqual({ ok: false, message });
  });
});
