import { spawnSync } from 'node:child_process';
import type { DesiredServerState } from '@wgfleet/node-sync';
import {
  generateKeyPair,
  ifbDeviceName,
  portForwardChains,
  WireguardInputError,
} from '@wgfleet/wireguard';
import {
  APPLY_SCRIPT,
  BUNDLE_MAGIC,
  commandFailureMessage,
  DUMP_SCRIPT,
  encodeApplyBundle,
  encodeRemoveBundle,
  REMOVE_SCRIPT,
  localArgv,
  redactKeys,
  remoteCommand,
  renderTunnelRules,
  shellQuote,
  stderrSummary,
} from './push-script.js';
import { parsePinnedHostKey } from './ssh-connection.js';
import { desiredState, dnsConfig, limitedShaping } from './testing/desired-state-fixtures.js';

const desired = desiredState;
const keys = generateKeyPair();
const peer = generateKeyPair();

/** Splits a version 2 bundle by its framing: section name → text, in the order sent. */
function decode(bundle: Buffer): Map<string, string> {
  const sections = new Map<string, string>();
  let at = bundle.indexOf(0x0a) + 1;
  expect(bundle.subarray(0, at).toString()).toBe(`${BUNDLE_MAGIC} 2\n`);
  for (;;) {
    const newline = bundle.indexOf(0x0a, at);
    const [name, length] = bundle.subarray(at, newline).toString().split(' ');
    at = newline + 1;
    if (name === 'end') break;
    sections.set(name!, bundle.subarray(at, at + Number(length)).toString());
    at += Number(length);
  }
  expect(at).toBe(bundle.length);
  return sections;
}

const readerPart = (script: string) => {
  const end = script.indexOf('# end of bundle');
  expect(end).toBeGreaterThan(0);
  return script.slice(0, end);
};

/** Runs only the bundle-reading part of APPLY_SCRIPT with a real sh, printing each section file it wrote. */
function readWithSh(bundle: Buffer): Map<string, string> {
  const script = `${readerPart(APPLY_SCRIPT)}\nfor f in $(ls "$t"); do printf '%s\\035' "$f"; cat "$t/$f"; printf '\\036'; done\n`;
  const result = spawnSync('sh', ['-c', script, 'sh', 'wg0'], { input: bundle });
  expect(result.stderr.toString()).toBe('');
  expect(result.status).toBe(0);
  const files = result.stdout.toString().split('\x1e').slice(0, -1).map((entry) => entry.split('\x1d') as [string, string]);
  return new Map(files);
}

/** The reader's verdict on a raw bundle: exit status and stderr. */
function readerVerdict(bundle: Buffer | string): { status: number | null; stderr: string } {
  const result = spawnSync('sh', ['-c', readerPart(APPLY_SCRIPT), 'sh', 'wg0'], { input: bundle });
  return { status: result.status, stderr: result.stderr.toString() };
}

describe('encodeApplyBundle', () => {
  it('carries every section with exact byte lengths, canonical values and the tunnel rules', () => {
    const sections = decode(encodeApplyBundle(desired({ addresses: ['10.66.1.1/24', 'FD42:66:1:0::1/64'] })));
    expect([...sections.keys()]).toEqual(['addresses', 'mtu', 'subnets', 'peers', 'rules4', 'rules6', 'ifb', 'tc']);
    expect(sections.get('addresses')).toBe('10.66.1.1/24\nfd42:66:1::1/64\n');
    expect(sections.get('mtu')).toBe('1420\n');
    expect(sections.get('subnets')).toBe('10.66.1.0/24\nfd42:66:1::/64\n');
    expect(sections.get('peers')).toBe(desired().peersConfig);
    expect(sections.get('rules4')).toContain(desired().forwardRules);
    expect(sections.get('rules4')).toContain('-A WGF-NAT-wg0 -s 10.66.1.0/24 ! -o wg0 -j MASQUERADE');
    expect(sections.get('rules6')).toContain('-A WGF-NAT-wg0 -s fd42:66:1::/64 ! -o wg0 -j MASQUERADE');
    expect(sections.get('ifb')).toBe('ifb-wg0\n');
    expect(sections.get('tc')).toBe(desired().shaping.batch);
  });

  it('sends no v6 rules and empty v4 tunnel chains when there are no subnets', () => {
    const sections = decode(encodeApplyBundle(desired({ mtu: null, tunnelSubnets: [] })));
    expect(sections.get('mtu')).toBe('');
    expect(sections.get('subnets')).toBe('');
    expect(sections.get('rules4')).toContain(':WGF-NAT-wg0 - [0:0]');
    expect(sections.get('rules4')).not.toContain('MASQUERADE');
    expect(sections.get('rules6')).toBe('');
  });

  it('carries the shaping batch and the resolver config as rendered', () => {
    const state = desired({ shaping: limitedShaping, dnsForwarderConfig: dnsConfig });
    const sections = decode(encodeApplyBundle(state));
    expect(sections.get('tc')).toBe(limitedShaping.batch);
    expect(sections.get('dns')).toBe(dnsConfig);
  });

  it('is read back section by section by the script itself under sh', () => {
    for (const state of [
      desired(),
      desired({ mtu: null, addresses: [], tunnelSubnets: [], forwardRules: '' }),
      desired({ shaping: limitedShaping, dnsForwarderConfig: dnsConfig }),
    ]) {
      const bundle = encodeApplyBundle(state);
      expect(readWithSh(bundle)).toEqual(new Map([...decode(bundle)].sort(([a], [b]) => a.localeCompare(b, 'en'))));
    }
  });

  it('takes the sections in any order (names, not positions)', () => {
    const sections = [...decode(encodeApplyBundle(desired({ dnsForwarderConfig: dnsConfig })))].reverse();
    const bundle = Buffer.concat([
      Buffer.from(`${BUNDLE_MAGIC} 2\n`),
      ...sections.map(([name, text]) => Buffer.concat([Buffer.from(`${name} ${Buffer.byteLength(text)}\n`), Buffer.from(text)])),
      Buffer.from('end\n'),
    ]);
    expect(readWithSh(bundle)).toEqual(new Map(sections.sort(([a], [b]) => a.localeCompare(b, 'en'))));
  });

  const valid = () => encodeApplyBundle(desired()).toString('latin1');
  it.each([
    ['an empty stdin', '', /^wgfleet: no bundle on stdin$/],
    ['a version 1 header', 'wgfleet-bundle 1 0 0 0 0 0\n', /^wgfleet: not a version 2 bundle$/],
    ['a truncated bundle', () => valid().slice(0, 200), /^wgfleet: bundle truncated/],
    ['an unknown section', () => valid().replace('end\n', 'evil 2\nid\nend\n'), /^wgfleet: unknown bundle section$/],
    ['a section sent twice', () => valid().replace('end\n', 'mtu 5\n1420\nend\n'), /^wgfleet: bundle section mtu twice$/],
    ['a length with a sign', () => valid().replace(/\nmtu 5\n/, '\nmtu -5\n'), /^wgfleet: bad length of bundle section mtu$/],
    ['a length with a leading zero', () => valid().replace(/\nmtu 5\n/, '\nmtu 05\n'), /^wgfleet: bad length of bundle section mtu$/],
    ['a length of ten digits', () => valid().replace(/\nmtu 5\n/, '\nmtu 1000000005\n'), /^wgfleet: bad length of bundle section mtu$/],
    ['a header with an extra word', () => valid().replace(/\nmtu 5\n/, '\nmtu 5 x\n'), /^wgfleet: bad bundle section header$/],
    ['a path as a section name', () => valid().replace('end\n', '../x 1\nx\nend\n'), /^wgfleet: unknown bundle section$/],
    ['data after end', () => `${valid()}mtu 1\n1`, /^wgfleet: data after the end of the bundle$/],
    ['no end', () => valid().slice(0, -'end\n'.length), /^wgfleet: bundle truncated$/],
    ['a missing required section', () => valid().replace(/tc (\d+)\n/, 'dns $1\n'), /^wgfleet: bundle has no tc section$/],
  ])('the script refuses %s before touching anything', (_what, input, message) => {
    const text = typeof input === 'function' ? input() : input;
    const verdict = readerVerdict(Buffer.from(text, 'latin1'));
    expect(verdict.status).toBe(2);
    expect(verdict.stderr.trim()).toMatch(message);
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

describe('encodeRemoveBundle', () => {
  it('names the ifb device of the interface, hashed when the readable name is too long', () => {
    expect(decode(encodeRemoveBundle('wg0'))).toEqual(new Map([['ifb', 'ifb-wg0\n']]));
    expect(decode(encodeRemoveBundle('customer-1234'))).toEqual(new Map([['ifb', `${ifbDeviceName('customer-1234')}\n`]]));
  });

  it('leaves the ifb out for an interface that cannot have one, and refuses a bad name', () => {
    expect(decode(encodeRemoveBundle('ifb-x'))).toEqual(new Map());
    expect(() => encodeRemoveBundle('wg0;id')).toThrow(WireguardInputError);
  });

  it('is read by REMOVE_SCRIPT, which refuses an apply bundle', () => {
    const reader = REMOVE_SCRIPT.slice(0, REMOVE_SCRIPT.indexOf('read_bundle\n') + 'read_bundle\n'.length);
    const read = (input: Buffer) => spawnSync('sh', ['-c', `${reader}cat "$t/ifb"`, 'sh', 'wg0'], { input });
    expect(read(encodeRemoveBundle('wg0')).stdout.toString()).toBe('ifb-wg0\n');
    const wrong = read(encodeApplyBundle(desired()));
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.toString().trim()).toBe('wgfleet: unknown bundle section');
  });
});

describe('the scripts', () => {
  it('are valid POSIX sh (dash -n) and never evaluate data as code', () => {
    for (const script of [APPLY_SCRIPT, REMOVE_SCRIPT, DUMP_SCRIPT]) {
      expect(spawnSync('sh', ['-n', '-c', script]).status).toBe(0);
    }
    for (const script of [APPLY_SCRIPT, REMOVE_SCRIPT]) expect(script).not.toMatch(/\beval\b|\bsource\b|^\s*\. /m);
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
  it('parse a pinned ed25519 line into its raw blob and refuse mismatched halves', () => {
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
    expect(parsePinnedHostKey(`ssh-ed25519 ${blob.toString('base64')} host`)).toEqual({ type: 'ssh-ed25519', blob });
    expect(() => parsePinnedHostKey(`ssh-rsa ${blob.toString('base64')}`)).toThrow(/does not match/);
    expect(() => parsePinnedHostKey('ssh-ed25519')).toThrow(/OpenSSH public key line/);
  });
});
