import { spawnSync } from 'node:child_process';
import type { DesiredServerState } from '@wgfleet/node-sync';
import { generateKeyPair, ifbDeviceName, renderShapingBatch, portForwardChains, renderPortForwardRules, renderServerPeers, WireguardInputError } from '@wgfleet/wireguard';
import {
  APPLY_SCRIPT,
  BUNDLE_MAGIC,
  commandFailureMessage,
  DUMP_SCRIPT,
  encodeApplyBundle,
  localArgv,
  redactKeys,
  remoteCommand,
  renderTunnelRules,
  shellQuote,
  stderrSummary,
} from './push-script.js';
import { backoffDelay, parsePinnedHostKey } from './ssh-connection.js';

const keys = generateKeyPair();
const peer = generateKeyPair();

function desired(overrides: Partial<DesiredServerState> = {}): DesiredServerState {
  return {
    interfaceName: 'wg0',
    addresses: ['10.66.1.1/24', 'fd42:66:1::1/64'],
    mtu: 1420,
    tunnelSubnets: ['10.66.1.0/24', 'fd42:66:1::/64'],
    shaping: { ifbName: ifbDeviceName('wg0'), batch: renderShapingBatch({ interfaceName: 'wg0', peers: [] }) },
    dnsForwarderConfig: null,
    peersConfig: renderServerPeers({
      privateKey: keys.privateKey,
      listenPort: 51820,
      peers: [{ publicKey: peer.publicKey, presharedKey: null, allowedIps: ['10.66.1.2/32'] }],
    }),
    forwardRules: renderPortForwardRules({
      interfaceName: 'wg0',
      serverTunnelIp: '10.66.1.1',
      forwards: [{ id: 1, publicIp: '198.19.101.1', externalPort: 443, targetIp: '10.66.1.2', internalPort: 8443, protocol: 'tcp' }],
    }),
    ...overrides,
  };
}

/** Splits a bundle the way the script does: header lengths, then the sections, then the rest. */
function decode(bundle: Buffer): string[] {
  const newline = bundle.indexOf(0x0a);
  const [magic, version, ...lengths] = bundle.subarray(0, newline).toString().split(' ');
  expect([magic, version]).toEqual([BUNDLE_MAGIC, '1']);
  const sections: string[] = [];
  let at = newline + 1;
  for (const n of lengths.map(Number)) {
    sections.push(bundle.subarray(at, at + n).toString());
    at += n;
  }
  sections.push(bundle.subarray(at).toString());
  return sections;
}

/** Runs only the bundle-reading part of APPLY_SCRIPT with a real sh, printing each section file. */
function readWithSh(bundle: Buffer): string[] {
  const upToSections = APPLY_SCRIPT.slice(0, APPLY_SCRIPT.indexOf('# end of bundle'));
  expect(upToSections.length).toBeLessThan(APPLY_SCRIPT.length);
  const script = `${upToSections}\nfor f in addresses mtu subnets peers rules4 rules6; do cat "$t/$f"; printf '\\036'; done\n`;
  const result = spawnSync('sh', ['-c', script, 'sh', 'wg0'], { input: bundle });
  expect(result.stderr.toString()).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.toString().split('\x1e').slice(0, 6);
}

describe('encodeApplyBundle', () => {
  it('carries every section with exact byte lengths, canonical values and the tunnel rules', () => {
    const [addresses, mtu, subnets, peers, rules4, rules6] = decode(encodeApplyBundle(desired({ addresses: ['10.66.1.1/24', 'FD42:66:1:0::1/64'] })));
    expect(addresses).toBe('10.66.1.1/24\nfd42:66:1::1/64\n');
    expect(mtu).toBe('1420\n');
    expect(subnets).toBe('10.66.1.0/24\nfd42:66:1::/64\n');
    expect(peers).toBe(desired().peersConfig);
    expect(rules4).toContain(desired().forwardRules);
    expect(rules4).toContain('-A WGF-NAT-wg0 -s 10.66.1.0/24 ! -o wg0 -j MASQUERADE');
    expect(rules6).toContain('-A WGF-NAT-wg0 -s fd42:66:1::/64 ! -o wg0 -j MASQUERADE');
  });

  it('is read back section by section by the script itself under sh', () => {
    const bundle = encodeApplyBundle(desired());
    expect(readWithSh(bundle)).toEqual(decode(bundle));
    const empty = encodeApplyBundle(desired({ mtu: null, addresses: [], tunnelSubnets: [], forwardRules: '' }));
    expect(readWithSh(empty)).toEqual(decode(empty));
  });

  it('refuses a truncated bundle in the script', () => {
    const bundle = encodeApplyBundle(desired());
    const upToSections = APPLY_SCRIPT.slice(0, APPLY_SCRIPT.indexOf('# end of bundle'));
    const result = spawnSync('sh', ['-c', upToSections, 'sh', 'wg0'], { input: bundle.subarray(0, 200) });
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toMatch(/^wgfleet: bundle truncated/);
  });

  it('sends no v6 rules and empty v4 tunnel chains when there are no subnets', () => {
    const [, mtu, subnets, , rules4, rules6] = decode(encodeApplyBundle(desired({ mtu: null, tunnelSubnets: [] })));
    expect(mtu).toBe('');
    expect(subnets).toBe('');
    expect(rules4).toContain(':WGF-NAT-wg0 - [0:0]');
    expect(rules4).not.toContain('MASQUERADE');
    expect(rules6).toBe('');
  });

  it.each([
    ['interface name', { interfaceName: "wg0';reboot;'" }],
    ['interface name starting with -', { interfaceName: '-wg0' }],
    ['address without prefix', { addresses: ['10.66.1.1'] }],
    ['address with a newline', { addresses: ['10.66.1.1/24\nPostUp = id'] }],
    ['address prefix too long', { addresses: ['10.66.1.1/33'] }],
    ['subnet with host bits', { tunnelSubnets: ['10.66.1.1/24'] }],
    ['subnet with a shell word', { tunnelSubnets: ['10.66.1.0/24;id'] }],
    ['mtu out of range', { mtu: 100 }],
    ['peers config with PostUp', { peersConfig: '[Interface]\nPostUp = id\n' }],
    ['peers config not starting with [Interface]', { peersConfig: '[Peer]\nPublicKey = x\n' }],
    ['rules with a NUL', { forwardRules: '*nat\0\n' }],
  ])('refuses a bad %s', (_what, overrides) => {
    expect(() => encodeApplyBundle(desired(overrides as Partial<DesiredServerState>))).toThrow(WireguardInputError);
  });
});

describe('the scripts', () => {
  it('are valid POSIX sh (dash -n) and never evaluate data as code', () => {
    for (const script of [APPLY_SCRIPT, DUMP_SCRIPT]) {
      expect(spawnSync('sh', ['-n', '-c', script]).status).toBe(0);
    }
    expect(APPLY_SCRIPT).not.toMatch(/\beval\b|\bsource\b|^\s*\. /m);
  });

  it('jump into every chain the core owns exactly once, with -C before -I', () => {
    for (const { table, builtinChain, chain } of portForwardChains('wg0')) {
      const prefix = chain.slice(0, -'wg0'.length);
      expect(APPLY_SCRIPT).toContain(`jump iptables ${table} ${builtinChain} "${prefix}$IF"`);
    }
    expect(APPLY_SCRIPT).toContain('jump ip6tables nat POSTROUTING "WGF-NAT-$IF"');
    expect(APPLY_SCRIPT).toMatch(/-C "\$3" -j "\$4" 2>\/dev\/null \|\| "\$1" -w -t "\$2" -I "\$3" -j "\$4"/);
  });

  it('put only the checked interface name on the command line, quoted', () => {
    const command = remoteCommand(DUMP_SCRIPT, 'wg0', 29);
    expect(command.startsWith("timeout '-k' '5' '29' 'sh' '-c' '")).toBe(true);
    expect(command.endsWith(" 'sh' 'wg0'")).toBe(true);
    expect(() => remoteCommand(DUMP_SCRIPT, 'wg0 all', 29)).toThrow(WireguardInputError);
    expect(localArgv(APPLY_SCRIPT, 'wg1', 5)).toEqual(['timeout', '-k', '5', '5', 'sh', '-c', APPLY_SCRIPT, 'sh', 'wg1']);
  });

  it('quote any text into one shell word', () => {
    const text = `it's "$(id)" \`x\` \\ '`;
    const result = spawnSync('sh', ['-c', `printf %s ${shellQuote(text)}`]);
    expect(result.stdout.toString()).toBe(text);
  });
});

describe('renderTunnelRules', () => {
  it('masquerades each subnet out of the node and accepts forwarding for the tunnel', () => {
    expect(renderTunnelRules('wg0', ['10.66.1.0/24']).v4).toBe(
      [
        '*nat',
        ':WGF-NAT-wg0 - [0:0]',
        '-A WGF-NAT-wg0 -s 10.66.1.0/24 ! -o wg0 -j MASQUERADE',
        'COMMIT',
        '*filter',
        ':WGF-TUN-wg0 - [0:0]',
        '-A WGF-TUN-wg0 -i wg0 -s 10.66.1.0/24 -j ACCEPT',
        '-A WGF-TUN-wg0 -o wg0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});

describe('safe failure messages', () => {
  const key = keys.privateKey;

  it('keep the last stderr line, redact keys and cut at 200 characters', () => {
    expect(stderrSummary(`first\nLine with ${key} in it\n\n`)).toBe('Line with [key] in it');
    expect(redactKeys(`${key} ${peer.publicKey}`)).toBe('[key] [key]');
    const long = stderrSummary(`${'x'.repeat(180)}${key}${'y'.repeat(100)}`);
    expect(long.length).toBe(200);
    expect(long).not.toContain(key.slice(0, 20));
  });

  it('say which node and step failed and how', () => {
    expect(commandFailureMessage('n1', 'apply wg0', 1, null, 'Line unrecognized: `PrivateKey=x`')).toBe('node n1: apply wg0 exited 1: Line unrecognized: `PrivateKey=x`');
    expect(commandFailureMessage('n1', 'apply wg0', 124, null, '')).toBe('node n1: apply wg0 timed out on the node');
    expect(commandFailureMessage('n1', 'apply wg0', null, 'KILL', '')).toBe('node n1: apply wg0 was killed by KILL');
  });
});

describe('connection helpers', () => {
  it('back off exponentially with a cap', () => {
    expect([0, 1, 2, 3, 4, 10, 100].map((f) => backoffDelay(f, 1_000, 60_000))).toEqual([0, 1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
  });

  it('parse a pinned ed25519 line into its raw blob and refuse mismatched halves', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
    expect(parsePinnedHostKey(`ssh-ed25519 ${blob.toString('base64')} host`)).toEqual({ type: 'ssh-ed25519', blob });
    expect(() => parsePinnedHostKey(`ssh-rsa ${blob.toString('base64')}`)).toThrow(/does not match/);
    expect(() => parsePinnedHostKey('ssh-ed25519')).toThrow(/OpenSSH public key line/);
  });
});
