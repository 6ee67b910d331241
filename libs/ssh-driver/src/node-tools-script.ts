import { isValidProbeCount, PROBE_COUNT, probeTarget } from '@wgfleet/node-sync';
import { WireguardInputError } from '@wgfleet/wireguard';
import { shellQuote } from './push-script.js';

// The diagnostics WGDashboard runs (ping, traceroute, system status), run on the node. Each script is a
// constant; the target and count travel on stdin, are read into variables, checked again by the script,
// and reach ping/traceroute only double-quoted as single argv items after `--`. No command line carries
// anything a user typed.

/** The scripts exit with this (EX_USAGE) when stdin does not hold what they expect. */
export const TOOL_BAD_INPUT_EXIT = 64;

/** One diagnostic: a constant script, its stdin, and the node-side time bound (coreutils `timeout`). */
export interface NodeToolCommand {
  /** For messages: `ping`, `traceroute`, `system status`. */
  step: string;
  script: string;
  stdin: Buffer;
  timeoutSeconds: number;
}

const READ_TARGET = [
  'export LC_ALL=C',
  `IFS= read -r a || exit ${TOOL_BAD_INPUT_EXIT}`,
  // Defence in depth: probeTarget() already allowed only these characters and no leading "-".
  `case $a in ""|-*|*[!0-9A-Za-z.:-]*) exit ${TOOL_BAD_INPUT_EXIT} ;; esac`,
];

/**
 * POSIX sh; stdin `address\ncount\n`. icmplib's settings upstream: one request a second, 2 s to answer.
 * Exits as ping does: 0 replies, 1 none, 2 an error such as an unknown host.
 */
export const PING_SCRIPT = [
  ...READ_TARGET,
  `IFS= read -r c || exit ${TOOL_BAD_INPUT_EXIT}`,
  `case $c in ""|*[!0-9]*) exit ${TOOL_BAD_INPUT_EXIT} ;; esac`,
  `[ "$c" -ge ${PROBE_COUNT.min} ] && [ "$c" -le ${PROBE_COUNT.max} ] || exit ${TOOL_BAD_INPUT_EXIT}`,
  'exec ping -n -c "$c" -i 1 -W 2 -- "$a"',
  '',
].join('\n');

/**
 * POSIX sh; stdin `address\n`. icmplib's settings upstream: ICMP echo (needs root; UDP probes
 * otherwise), 2 probes a hop, 1 s each, up to 64 hops; numeric output, no DNS for the hops.
 */
export const TRACEROUTE_SCRIPT = [
  ...READ_TARGET,
  'set --',
  'if [ "$(id -u)" = 0 ]; then set -- -I; fi',
  'exec traceroute -n "$@" -q 2 -w 1 -m 64 -- "$a"',
  '',
].join('\n');

/** Marks the start of one section of SYSTEM_SNAPSHOT_SCRIPT's output: `@@wgfleet <name>` on its own line. */
export const SNAPSHOT_MARK = '@@wgfleet';

/**
 * POSIX sh, no input. Everything WGDashboard's systemStatus shows, in one round trip: CPU as two
 * /proc/stat samples 0.5 s apart, memory and swap, the filesystems the kernel marks as needing a device
 * (psutil's "physical" partitions) and `df` of the local ones, interface counters, and the processes
 * (`ps` twice: names alone, so a name with spaces stays whole, then pid/cpu/rss/command line).
 */
export const SYSTEM_SNAPSHOT_SCRIPT = [
  'export LC_ALL=C',
  `mark() { printf '\\n${SNAPSHOT_MARK} %s\\n' "$1"; }`,
  'mark stat1; cat /proc/stat',
  'sleep 0.5',
  'mark stat2; cat /proc/stat',
  'mark meminfo; cat /proc/meminfo',
  'mark netdev; cat /proc/net/dev',
  'mark filesystems; cat /proc/filesystems',
  'mark df; df -P -T -l -B1 2>/dev/null',
  'mark names; ps -e -o pid= -o comm=',
  'mark ps; ps -ww -e -o pid= -o pcpu= -o rss= -o args=',
  'mark end',
  'exit 0',
  '',
].join('\n');

function checkTarget(address: unknown): string {
  const canonical = probeTarget(address);
  if (canonical === null) throw new WireguardInputError('address', 'address must be an IPv4 or IPv6 address or a host name');
  return canonical;
}

export function pingCommand(address: unknown, count: unknown): NodeToolCommand {
  const target = checkTarget(address);
  if (!isValidProbeCount(count)) throw new WireguardInputError('count', `count must be an integer from ${PROBE_COUNT.min} to ${PROBE_COUNT.max}`);
  // count seconds of pinging plus 2 s for the last answer, and time for a slow resolver.
  return { step: 'ping', script: PING_SCRIPT, stdin: Buffer.from(`${target}\n${count}\n`), timeoutSeconds: count + 15 };
}

export function tracerouteCommand(address: unknown): NodeToolCommand {
  // 64 hops × 2 probes × 1 s, sent 16 at a time by traceroute: about 8 s when nothing answers.
  return { step: 'traceroute', script: TRACEROUTE_SCRIPT, stdin: Buffer.from(`${checkTarget(address)}\n`), timeoutSeconds: 25 };
}

export function systemSnapshotCommand(): NodeToolCommand {
  return { step: 'system status', script: SYSTEM_SNAPSHOT_SCRIPT, stdin: Buffer.alloc(0), timeoutSeconds: 10 };
}

/** How long our side waits: the node's own `timeout` (and its kill 2 s later) fires first. */
export function toolWaitMs(command: NodeToolCommand): number {
  return (command.timeoutSeconds + 4) * 1000;
}

/** `timeout -k 2 S sh -c SCRIPT sh`, as an argv: no shell parses it. */
export function toolArgv(command: NodeToolCommand): string[] {
  if (!Number.isInteger(command.timeoutSeconds) || command.timeoutSeconds < 1) throw new Error('node-tools: timeoutSeconds must be a positive integer');
  return ['timeout', '-k', '2', String(command.timeoutSeconds), 'sh', '-c', command.script, 'sh'];
}

/** The one constant command string sent over SSH for `command` (only the script and the time bound in it). */
export function toolRemoteCommand(command: NodeToolCommand): string {
  return toolArgv(command).map((word, i) => (i === 0 ? word : shellQuote(word))).join(' ');
}
