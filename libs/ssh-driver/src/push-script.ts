import type { DesiredServerState, InterfaceCounterSamples } from '@wgfleet/node-sync';
import { formatIp, ifbDeviceName, isValidInterfaceName, MTU_RANGE, parseCidr, parseIp, portForwardChains, WireguardInputError } from '@wgfleet/wireguard';
import { bundleReaderLines, encodeBundle, type BundleTable } from './bundle.js';
import { RESOLVER_APPLY, RESOLVER_CHECK, RUNTIME_FUNCTIONS, RUNTIME_REMOVE, SHAPING_APPLY } from './runtime-script.js';
import { checkDnsForwarderConfig, checkIfbName, checkShapingBatch, type ResolverScope } from './runtime-sections.js';

// What runs on a node, as constants. The only variable a command line ever carries is the interface
// name, checked with isValidInterfaceName and single-quoted; everything else (addresses, peers and keys,
// firewall rules, shaping, the resolver's config) travels in a bundle on stdin (bundle.ts: named,
// length-prefixed sections) and is written to private temp files by the script.

export { BUNDLE_MAGIC, BUNDLE_VERSION } from './bundle.js';

/** `dump` exits with this when the interface does not exist. */
export const INTERFACE_MISSING_EXIT = 3;

/** The jump prefixes into our chains per table, derived from the core's chain names so they stay in sync. */
interface ChainJumpTemplate {
  table: 'nat' | 'filter';
  builtinChain: string;
  /** Chain name without the interface name: the script appends `$IF`. */
  prefix: string;
}

const NAT_CHAIN_PREFIX = 'WGF-NAT-';
const TUNNEL_CHAIN_PREFIX = 'WGF-TUN-';

function forwardJumpTemplates(): ChainJumpTemplate[] {
  const probe = 'x';
  return portForwardChains(probe).map(({ table, builtinChain, chain }) => {
    if (!chain.endsWith(`-${probe}`)) throw new Error(`push-script: unexpected chain name ${chain}`);
    const prefix = chain.slice(0, -probe.length);
    if (!/^[A-Z-]{1,12}$/.test(prefix) || !/^[A-Z]{1,12}$/.test(builtinChain)) throw new Error(`push-script: unexpected chain ${chain}`);
    return { table, builtinChain, prefix };
  });
}

const V4_JUMPS: ChainJumpTemplate[] = [
  ...forwardJumpTemplates(),
  { table: 'nat', builtinChain: 'POSTROUTING', prefix: NAT_CHAIN_PREFIX },
  { table: 'filter', builtinChain: 'FORWARD', prefix: TUNNEL_CHAIN_PREFIX },
];
const V6_JUMPS: ChainJumpTemplate[] = [
  { table: 'nat', builtinChain: 'POSTROUTING', prefix: NAT_CHAIN_PREFIX },
  { table: 'filter', builtinChain: 'FORWARD', prefix: TUNNEL_CHAIN_PREFIX },
];

const jumpLines = (tool: string, jumps: ChainJumpTemplate[]) =>
  jumps.map(({ table, builtinChain, prefix }) => `  jump ${tool} ${table} ${builtinChain} "${prefix}$IF"`);

const lines = (values: string[]) => values.map((v) => `${v}\n`).join('');

/**
 * The apply bundle's sections, in the order they are written. A new capability is one entry here
 * (and the script lines that use `$t/<name>`); the script's reader accepts exactly these names.
 */
const APPLY_SECTIONS: BundleTable<DesiredServerState> = [
  { name: 'addresses', required: true, render: (d) => lines(checkAddresses(d.addresses)) },
  { name: 'mtu', required: true, render: (d) => checkMtu(d.mtu) },
  { name: 'subnets', required: true, render: (d) => lines(checkSubnets(d.tunnelSubnets)) },
  { name: 'peers', required: true, render: (d) => checkPeersConfig(d.peersConfig) },
  { name: 'rules4', required: true, render: (d) => checkRulesText(d.forwardRules) + renderTunnelRules(d.interfaceName, d.tunnelSubnets).v4 },
  { name: 'rules6', required: true, render: (d) => renderTunnelRules(d.interfaceName, d.tunnelSubnets).v6 },
  { name: 'ifb', required: true, render: (d) => `${checkIfbName(d.interfaceName, checkShaping(d.shaping).ifbName)}\n` },
  { name: 'tc', required: true, render: (d) => checkShapingBatch(d.interfaceName, d.shaping.ifbName, d.shaping.batch) },
  { name: 'dns', required: false, render: (d) => (d.dnsForwarderConfig === null ? null : checkDnsForwarderConfig(resolverScope(d), d.dnsForwarderConfig)) },
];

/** The remove bundle: the ifb device of the interface, when it can have one. */
const REMOVE_SECTIONS: BundleTable<string> = [
  { name: 'ifb', required: false, render: (iface) => (hasIfb(iface) ? `${ifbDeviceName(iface)}\n` : null) },
];

/**
 * How every script that takes a bundle starts: `$1` is the interface, files are private to a temp
 * directory removed on exit, and the bundle on stdin is read into one file per section.
 */
function bundleScriptStart(setFlags: 'set -eu' | 'set -u', sections: Parameters<typeof bundleReaderLines>[0]): string[] {
  return [
    setFlags,
    'IF=$1',
    'umask 077',
    't=$(mktemp -d) || exit 1',
    `trap 'rm -rf "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM`,
    'fail() { echo "wgfleet: $*" >&2; exit 2; }',
    ...bundleReaderLines(sections),
    ...RUNTIME_FUNCTIONS,
    'read_bundle',
  ];
}

/**
 * POSIX sh; `$1` is the interface name, the bundle comes on stdin. Makes the interface exist, up, with
 * its addresses and MTU; converges the peers; persists /etc/wireguard/IF.conf (wg-quick form, 0600,
 * temp + rename); applies the shaping and runs, restarts or stops the DNS resolver (runtime-script.ts);
 * rebuilds wgfleet's iptables chains and jumps into each exactly once; enables forwarding.
 */
export const APPLY_SCRIPT = [
  ...bundleScriptStart('set -eu', APPLY_SECTIONS),
  '# end of bundle',
  ...RESOLVER_CHECK,
  'mtu=$(cat "$t/mtu")',
  'case $mtu in *[!0-9]*) fail "bad MTU" ;; esac',
  'while IFS= read -r a; do case $a in ""|*[!0-9a-fA-F.:/]*) fail "bad address line" ;; esac; done <"$t/addresses"',
  'if ! ip link show dev "$IF" >/dev/null 2>&1; then',
  // Kernel WireGuard if the node has it, else wireguard-go (daemonizes; its output must not hold our stdout open).
  '  ip link add dev "$IF" type wireguard 2>/dev/null ||',
  '    wireguard-go "$IF" </dev/null >"$t/wireguard-go.log" 2>&1 ||',
  '    { tail -n 1 "$t/wireguard-go.log" >&2; exit 1; }',
  'fi',
  '[ -z "$mtu" ] || ip link set dev "$IF" mtu "$mtu"',
  'while IFS= read -r a; do',
  // No DAD on a point-to-point tunnel, or the v6 address stays tentative for a while. `replace` is idempotent.
  '  case $a in *:*) ip -6 address replace "$a" dev "$IF" nodad ;; *) ip -4 address replace "$a" dev "$IF" ;; esac',
  'done <"$t/addresses"',
  'ip link set dev "$IF" up',
  'wg syncconf "$IF" "$t/peers"',
  ...SHAPING_APPLY,
  // wg-quick form for a reboot without the control plane: Address/MTU are wg-quick's, the rest is the peer set.
  'mkdir -p /etc/wireguard',
  'conf="/etc/wireguard/$IF.conf"',
  '{',
  '  echo "[Interface]"',
  '  while IFS= read -r a; do printf "Address = %s\\n" "$a"; done <"$t/addresses"',
  '  if [ -n "$mtu" ]; then printf "MTU = %s\\n" "$mtu"; fi',
  '  sed 1d "$t/peers"',
  '} >"$conf.wgfleet-tmp"',
  'chmod 600 "$conf.wgfleet-tmp"',
  'mv -f "$conf.wgfleet-tmp" "$conf"',
  // `--noflush` keeps everyone else's rules; declaring our chains empties them, so the jumps are added
  // here, once each, never by the restore text (which would append another on every apply).
  'jump() { "$1" -w -t "$2" -C "$3" -j "$4" 2>/dev/null || "$1" -w -t "$2" -I "$3" -j "$4"; }',
  'sysctl -qw net.ipv4.ip_forward=1',
  'iptables-restore -w --noflush <"$t/rules4"',
  ...jumpLines('iptables', V4_JUMPS),
  'if [ -s "$t/rules6" ]; then',
  '  if grep -q : "$t/subnets"; then sysctl -qw net.ipv6.conf.all.forwarding=1; fi',
  '  ip6tables-restore -w --noflush <"$t/rules6"',
  ...jumpLines('ip6tables', V6_JUMPS),
  'else',
  // No IPv6 subnet (any more): empty our v6 chains if an earlier apply created them.
  ...V6_JUMPS.map(({ table, prefix }) => `  ip6tables -w -t ${table} -F "${prefix}$IF" 2>/dev/null || true`),
  'fi',
  ...RESOLVER_APPLY,
  '',
].join('\n');

const removeLines = (tool: string, jumps: ChainJumpTemplate[]) =>
  jumps.map(({ table, builtinChain, prefix }) => `unjump ${tool} ${table} ${builtinChain} "${prefix}$IF"; drop ${tool} ${table} "${prefix}$IF"`);

/**
 * POSIX sh; `$1` is the interface name, a bundle of REMOVE_SECTIONS on stdin. Undoes APPLY_SCRIPT for
 * a deleted server: its persisted file, its resolver, the jumps into wgfleet's chains for that
 * interface (a referenced chain cannot be deleted), the chains, its ifb and shaping state, and the
 * interface (a wireguard-go process ends with its device; the qdiscs go with it). Idempotent: what
 * is already gone is skipped; it fails only if something is still there at the end.
 */
export const REMOVE_SCRIPT = [
  ...bundleScriptStart('set -u', REMOVE_SECTIONS),
  // Each jump was inserted once; the bound only guards against a hand-made copy loop.
  'unjump() { n=0; while [ "$n" -lt 16 ] && "$1" -w -t "$2" -D "$3" -j "$4" 2>/dev/null; do n=$((n + 1)); done; }',
  'drop() { "$1" -w -t "$2" -F "$3" 2>/dev/null; "$1" -w -t "$2" -X "$3" 2>/dev/null; true; }',
  // The file first (a reboot must not bring the interface back), the device last: its absence means done.
  'rm -f "/etc/wireguard/$IF.conf"',
  ...removeLines('iptables', V4_JUMPS),
  ...removeLines('ip6tables', V6_JUMPS),
  ...RUNTIME_REMOVE,
  'ip link del dev "$IF" 2>/dev/null || true',
  'if ip link show dev "$IF" >/dev/null 2>&1; then echo "wgfleet: $IF is still present after removal" >&2; exit 2; fi',
  '',
].join('\n');

/** POSIX sh; `$1` is the interface name. Exits INTERFACE_MISSING_EXIT when there is no such interface. */
export const DUMP_SCRIPT = [
  'IF=$1',
  `ip link show dev "$IF" >/dev/null 2>&1 || exit ${INTERFACE_MISSING_EXIT}`,
  'exec wg show "$IF" dump',
  '',
].join('\n');

/**
 * POSIX sh; `$1` is the interface name (validated: no `/`, never `.` or `..`, so the path stays in
 * /sys/class/net). Prints `rx1 tx1 rx2 tx2`, the counters one second apart; exits
 * INTERFACE_MISSING_EXIT when the interface is absent at either read.
 */
export const COUNTERS_SCRIPT = [
  'IF=$1',
  'd="/sys/class/net/$IF/statistics"',
  `[ -r "$d/rx_bytes" ] || exit ${INTERFACE_MISSING_EXIT}`,
  `r1=$(cat "$d/rx_bytes" 2>/dev/null) && t1=$(cat "$d/tx_bytes" 2>/dev/null) || exit ${INTERFACE_MISSING_EXIT}`,
  'sleep 1',
  `r2=$(cat "$d/rx_bytes" 2>/dev/null) && t2=$(cat "$d/tx_bytes" 2>/dev/null) || exit ${INTERFACE_MISSING_EXIT}`,
  'echo "$r1 $t1 $r2 $t2"',
  '',
].join('\n');

/** COUNTERS_SCRIPT's output as numbers; a NodeCommandError's message when it is not four counters. */
export function parseCounterSamples(stdout: string): InterfaceCounterSamples | string {
  const match = /^(\d{1,20}) (\d{1,20}) (\d{1,20}) (\d{1,20})\n?$/.exec(stdout);
  if (!match) return 'unexpected counter output';
  const [rx1, tx1, rx2, tx2] = match.slice(1).map(Number) as [number, number, number, number];
  return { first: { rxBytes: rx1, txBytes: tx1 }, second: { rxBytes: rx2, txBytes: tx2 } };
}

export function checkInterfaceName(name: unknown): string {
  if (!isValidInterfaceName(name)) {
    throw new WireguardInputError('interfaceName', 'interfaceName must be 1-15 letters, digits or _=.- and must not start with "-"');
  }
  return name as string;
}

/** `'…'` with every `'` closed, escaped and reopened: one word for any POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The one command string sent over SSH: the constant script run by `sh` (whatever the remote login
 * shell is), under coreutils `timeout` so a hung command dies on the node too, not just our channel.
 */
export function remoteCommand(script: string, interfaceName: string, timeoutSeconds: number): string {
  return localArgv(script, interfaceName, timeoutSeconds).map((word, i) => (i === 0 ? word : shellQuote(word))).join(' ');
}

/** The same command as an argv (no shell parses it): `timeout -k 5 S sh -c SCRIPT sh IF`. */
export function localArgv(script: string, interfaceName: string, timeoutSeconds: number): string[] {
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1) throw new Error('push-script: timeoutSeconds must be a positive integer');
  return ['timeout', '-k', '5', String(timeoutSeconds), 'sh', '-c', script, 'sh', checkInterfaceName(interfaceName)];
}

/** `10.8.0.1/24` or `fd42:66:1::1/64`, host bits allowed; returned canonical. */
function checkInterfaceAddress(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value : '';
  const slash = text.indexOf('/');
  const prefixText = slash < 0 ? '' : text.slice(slash + 1);
  let ip;
  try {
    ip = parseIp(text.slice(0, slash < 0 ? text.length : slash), field);
  } catch {
    ip = null;
  }
  const maxPrefix = ip?.version === 6 ? 128 : 32;
  if (ip === null || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    throw new WireguardInputError(field, `${field} must be an address with its prefix, such as 10.8.0.1/24 or fd42:66:1::1/64`);
  }
  return `${formatIp(ip)}/${Number(prefixText)}`;
}

const WG_QUICK_ONLY = /^\s*(PreUp|PostUp|PreDown|PostDown|SaveConfig|Table|DNS|Address|MTU)\s*=/im;

function checkPeersConfig(text: unknown): string {
  if (typeof text !== 'string' || !text.startsWith('[Interface]\n') || !text.endsWith('\n')) {
    throw new WireguardInputError('peersConfig', 'peersConfig must be renderServerPeers output: starts with [Interface] and ends with a newline');
  }
  // The persisted file is read by wg-quick, which runs PostUp & co. as root: only wg(8) keys may be in it.
  if (/[\0\r]/.test(text) || WG_QUICK_ONLY.test(text)) {
    throw new WireguardInputError('peersConfig', 'peersConfig may hold only wg(8) settings (no wg-quick keys, no control characters)');
  }
  return text;
}

function checkRulesText(text: unknown): string {
  if (typeof text !== 'string' || /[\0\r]/.test(text)) throw new WireguardInputError('forwardRules', 'forwardRules must be iptables-restore text');
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Masquerading of the tunnel subnets out of the node, and forwarding to and from the tunnel, as
 * iptables-restore / ip6tables-restore text for our own chains. A family with no subnet gets empty
 * chains (v4) or no text at all (v6), so removing a subnet removes its rules on the next apply.
 */
export function renderTunnelRules(interfaceName: string, tunnelSubnets: readonly string[]): { v4: string; v6: string } {
  const iface = checkInterfaceName(interfaceName);
  if (!Array.isArray(tunnelSubnets)) throw new WireguardInputError('tunnelSubnets', 'tunnelSubnets must be an array');
  const subnets = tunnelSubnets.map((s, i) => parseCidr(s, `tunnelSubnets[${i}]`));
  const render = (version: 4 | 6): string => {
    const nat = `${NAT_CHAIN_PREFIX}${iface}`;
    const tun = `${TUNNEL_CHAIN_PREFIX}${iface}`;
    const own = subnets.filter((s) => s.version === version).map((s) => s.text);
    return [
      '*nat',
      `:${nat} - [0:0]`,
      ...own.map((s) => `-A ${nat} -s ${s} ! -o ${iface} -j MASQUERADE`),
      'COMMIT',
      '*filter',
      `:${tun} - [0:0]`,
      ...own.map((s) => `-A ${tun} -i ${iface} -s ${s} -j ACCEPT`),
      ...(own.length > 0 ? [`-A ${tun} -o ${iface} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`] : []),
      'COMMIT',
      '',
    ].join('\n');
  };
  return { v4: render(4), v6: subnets.some((s) => s.version === 6) ? render(6) : '' };
}

function checkAddresses(addresses: unknown): string[] {
  if (!Array.isArray(addresses)) throw new WireguardInputError('addresses', 'addresses must be an array');
  return addresses.map((a, i) => checkInterfaceAddress(a, `addresses[${i}]`));
}

function checkMtu(mtu: unknown): string {
  if (mtu === null) return '';
  if (!Number.isInteger(mtu) || (mtu as number) < MTU_RANGE.min || (mtu as number) > MTU_RANGE.max) {
    throw new WireguardInputError('mtu', `mtu must be an integer from ${MTU_RANGE.min} to ${MTU_RANGE.max}, or null`);
  }
  return `${mtu as number}\n`;
}

function checkSubnets(subnets: unknown): string[] {
  if (!Array.isArray(subnets)) throw new WireguardInputError('tunnelSubnets', 'tunnelSubnets must be an array');
  return subnets.map((s, i) => parseCidr(s, `tunnelSubnets[${i}]`).text);
}

function resolverScope(desired: DesiredServerState): ResolverScope {
  const listenIps = checkAddresses(desired.addresses).map((a) => a.slice(0, a.indexOf('/')));
  return { interfaceName: desired.interfaceName, listenIps, clientSubnets: checkSubnets(desired.tunnelSubnets) };
}

function checkShaping(shaping: unknown): { ifbName: string; batch: string } {
  if (typeof shaping !== 'object' || shaping === null) throw new WireguardInputError('shaping', 'shaping must be { ifbName, batch }');
  return shaping as { ifbName: string; batch: string };
}

/** Whether the interface can have a shaping ifb: ifbDeviceName refuses names that look like one. */
function hasIfb(interfaceName: string): boolean {
  try {
    ifbDeviceName(interfaceName);
    return true;
  } catch {
    return false;
  }
}

/** The apply bundle for `desired`: validated and canonical, ready to be written to the script's stdin. */
export function encodeApplyBundle(desired: DesiredServerState): Buffer {
  if (typeof desired !== 'object' || desired === null) throw new WireguardInputError('desired', 'desired must be an object');
  checkInterfaceName(desired.interfaceName);
  return encodeBundle(APPLY_SECTIONS, desired);
}

/** The remove bundle for an interface (REMOVE_SCRIPT's stdin). */
export function encodeRemoveBundle(interfaceName: string): Buffer {
  return encodeBundle(REMOVE_SECTIONS, checkInterfaceName(interfaceName));
}

const KEY_LIKE = /[A-Za-z0-9+/]{43}=/g;
const MAX_DETAIL = 200;

/** Anything shaped like a WireGuard key (private, preshared or public) becomes `[key]`. */
export function redactKeys(text: string): string {
  return text.replace(KEY_LIKE, '[key]');
}

/** The last non-empty line of stderr, keys redacted, at most 200 characters: safe to store and show. */
export function stderrSummary(stderr: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const last = redactKeys(lines.at(-1) ?? '');
  // Redact before cutting, so a cut cannot leave a key fragment that no longer matches.
  return last.length > MAX_DETAIL ? `${last.slice(0, MAX_DETAIL - 1)}…` : last;
}

/** `NodeCommandError` text: which node, which step, exit code, and the safe stderr summary. */
export function commandFailureMessage(nodeName: string, step: string, exitCode: number | null, signal: string | null, stderr: string): string {
  const how = exitCode === 124 ? 'timed out on the node' : exitCode !== null ? `exited ${exitCode}` : `was killed by ${signal ?? 'a signal'}`;
  const detail = stderrSummary(stderr);
  return `node ${nodeName}: ${step} ${how}${detail === '' ? '' : `: ${detail}`}`;
}
