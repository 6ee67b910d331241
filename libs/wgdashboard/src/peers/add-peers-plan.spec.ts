import { generateKeyPair, publicKeyFromPrivate } from '@wgfleet/wireguard';
import { ADD_PEERS_FAILED, NEEDS_IPV4, planAddPeers, type AddPeersContext } from './add-peers-plan.js';
import { injectionsInto } from '../../../../test/support/injection-payloads.js';
import { addressPools, usedAddresses } from './available-ips.js';

const defaults = { dns: '1.1.1.1', endpointAllowedIp: '0.0.0.0/0', mtu: 1420, keepalive: 21, remoteEndpoint: '198.51.100.1' };

function context(addresses: string[], peerAllowedIps: string[] = [], publicKeys: string[] = []): AddPeersContext {
  const pools = addressPools(addresses);
  return { pools, used: usedAddresses(pools, peerAllowedIps), publicKeys: new Set(publicKeys), defaults, now: new Date(2026, 10, 23, 22, 40, 18) };
}

describe('planAddPeers (notes §2.26)', () => {
  it('single, no keys, no addresses: generated keys, the first free IPv4 address, the settings’ defaults', () => {
    const plan = planAddPeers({ name: 'café ☕' }, context(['10.66.7.1/24'], ['10.66.7.2/32']));
    if (!plan.ok) throw new Error(plan.message);
    const [peer] = plan.peers;
    expect(peer).toMatchObject({ name: 'café ☕', ipv4: '10.66.7.3', ipv6: null, routedIps: [], dns: '1.1.1.1', mtu: 1420, keepalive: 21, presharedKey: null });
    expect(publicKeyFromPrivate(peer!.privateKey!)).toBe(peer!.publicKey);
  });

  it('single with keys and addresses: splits its own addresses from routed networks; bad mtu and keepalive fall back', () => {
    const pair = generateKeyPair();
    const plan = planAddPeers(
      { public_key: pair.publicKey, private_key: pair.privateKey, allowed_ips: ['10.66.7.9/32', 'fd42:66::9/128', '10.66.7.64/26'], mtu: 9000, keepalive: -1, DNS: '9.9.9.9' },
      context(['10.66.7.1/24', 'fd42:66::1/64']),
    );
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.peers[0]).toMatchObject({ ipv4: '10.66.7.9', ipv6: 'fd42:66::9', routedIps: ['10.66.7.64/26'], mtu: 1420, keepalive: 21, dns: '9.9.9.9' });
  });

  it.each([
    ['host bits set', { allowed_ips: ['10.66.7.9/24'] }, ADD_PEERS_FAILED],
    ['outside the subnets', { allowed_ips: ['10.99.0.2/32'] }, 'This IP is not available: 10.99.0.2/32'],
    ['an address in use', { allowed_ips: ['10.66.7.2/32'] }, 'This IP is not available: 10.66.7.2/32'],
    ['shell text in allowed_ips', { allowed_ips: ['10.0.0.2/32;sleep${IFS}5'] }, ADD_PEERS_FAILED],
    ['allowed_ips not a list', { allowed_ips: '10.66.7.9/32' }, ADD_PEERS_FAILED],
    ['no IPv4 address', { allowed_ips: ['fd42:66::9/128'] }, NEEDS_IPV4],
    ['a public key with shell metacharacters', { public_key: 'AAA;echo WGD_POC;' }, 'Please provide a valid public key (32 bytes, base64)'],
    ['a known public key', { public_key: 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=' }, 'This peer already exist'],
    ['keys that do not match', { public_key: generateKeyPair().publicKey, private_key: generateKeyPair().privateKey }, 'Provided Public Key does not match provided Private Key'],
    ['a name that is not text', { name: ['x'] }, ADD_PEERS_FAILED],
  ])('refuses %s', (_, body, message) => {
    const plan = planAddPeers(body, context(['10.66.7.1/24', 'fd42:66::1/64'], ['10.66.7.2/32'], ['ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=']));
    expect(plan).toEqual({ ok: false, message });
  });

  it('takes any network with allowed_ips_validation off, and routes it to the peer', () => {
    const plan = planAddPeers({ allowed_ips: ['10.66.7.5/32', '192.168.50.0/24'], allowed_ips_validation: false }, context(['10.66.7.1/24']));
    expect(plan.ok && plan.peers[0]).toMatchObject({ ipv4: '10.66.7.5', routedIps: ['192.168.50.0/24'] });
  });

  it('bulk: names from BulkPeer_2_, ascending free addresses, preshared keys only when asked with true', () => {
    const plan = planAddPeers({ bulkAdd: true, bulkAddAmount: 2, preshared_key_bulkAdd: true }, context(['10.66.7.1/24'], ['10.66.7.2/32', '10.66.7.3/32']));
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.peers.map((peer) => [peer.name, peer.ipv4, peer.presharedKey !== null])).toEqual([
      ['BulkPeer_2_20261123_224018', '10.66.7.4', true],
      ['BulkPeer_3_20261123_224018', '10.66.7.5', true],
    ]);
  });

  it.each([
    [{ bulkAdd: true, bulkAddAmount: 0 }, 'Please specify amount of peers you want to add'],
    [{ bulkAdd: true, bulkAddAmount: 'two' }, 'Please specify amount of peers you want to add'],
    [{ bulkAdd: true, bulkAddAmount: 1000 }, 'The maximum number of peers can add is 252'],
  ])('bulk refuses %j', (body, message) => {
    expect(planAddPeers(body, context(['10.66.7.1/24'], ['10.66.7.2/32', '10.66.7.3/32', '10.66.7.4/32']))).toEqual({ ok: false, message });
  });
});

describe('planAddPeers refuses what would add a line to the peer’s file', () => {
  const modes = [
    ['single', {}],
    ['bulk', { bulkAdd: true, bulkAddAmount: 2 }],
  ] as const;
  const fields = [
    ['DNS', '1.1.1.1', 'DNS format is incorrect'],
    ['endpoint_allowed_ip', '0.0.0.0/0', 'Endpoint Allowed IPs format is incorrect'],
  ] as const;
  const cases = modes.flatMap(([mode, extra]) =>
    fields.flatMap(([field, valid, message]) => injectionsInto(valid).map(([what, value]) => [mode, field, what, { ...extra, [field]: value }, message] as const)),
  );

  it.each(cases)('%s, %s with %s', (_mode, _field, _what, body, message) => {
    expect(planAddPeers(body, context(['10.66.7.1/24']))).toEqual({ ok: false, message });
  });

  it.each([
    ['words with spaces as DNS', { DNS: 'not a dns' }, 'DNS format is incorrect'],
    ['a DNS list ending in a comma', { DNS: '1.1.1.1,' }, 'DNS format is incorrect'],
    ['no endpoint_allowed_ip', { endpoint_allowed_ip: '' }, 'Endpoint Allowed IPs format is incorrect'],
  ])('refuses %s', (_case, body, message) => {
    expect(planAddPeers(body, context(['10.66.7.1/24']))).toEqual({ ok: false, message });
  });

  it('refuses defaults stored before they were checked as it refuses a request’s values', () => {
    const withDefaults = (change: Partial<AddPeersContext['defaults']>) => ({ ...context(['10.66.7.1/24']), defaults: { ...defaults, ...change } });
    const advice = (setting: string) => ` (the ${setting} setting: correct it with updateDashboardConfigurationItem)`;
    expect(planAddPeers({}, withDefaults({ dns: '1.1.1.1\nPostUp = id' }))).toEqual({ ok: false, message: `DNS format is incorrect${advice('peer_global_dns')}` });
    expect(planAddPeers({ bulkAdd: true, bulkAddAmount: 1 }, withDefaults({ endpointAllowedIp: '0.0.0.0/0\u2028' }))).toEqual({
      ok: false,
      message: `Endpoint Allowed IPs format is incorrect${advice('peer_endpoint_allowed_ip')}`,
    });
    expect(planAddPeers({}, withDefaults({ remoteEndpoint: 'x\nPostUp = id' }))).toEqual({
      ok: false,
      message: `x\nPostUp = id is not a valid remote endpoint: send an IP address or a host name${advice('remote_endpoint')}`,
    });
    // A default the request replaces is not used, so it does not stand in the way.
    expect(planAddPeers({ DNS: '9.9.9.9' }, withDefaults({ dns: '1.1.1.1\nPostUp = id' })).ok).toBe(true);
  });

  it('keeps valid typed lists as typed', () => {
    const plan = planAddPeers({ DNS: '1.1.1.1, 8.8.8.8', endpoint_allowed_ip: '0.0.0.0/0,::/0' }, context(['10.66.7.1/24']));
    expect(plan.ok && plan.peers[0]).toMatchObject({ dns: '1.1.1.1, 8.8.8.8', endpointAllowedIp: '0.0.0.0/0,::/0' });
  });
});
