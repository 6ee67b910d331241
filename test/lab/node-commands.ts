import { isValidInterfaceName, portForwardChains } from '@wgfleet/wireguard';

// Remote command texts for the smoke test. Every one is a constant template whose only variable is a
// validated interface name (or chain names derived from it); all data (addresses, peers, rules) goes
// on stdin, never into the command line.

function checkedInterface(ifname: string): string {
  if (!isValidInterfaceName(ifname)) throw new Error(`node-commands: bad interface name ${ifname}`);
  return ifname;
}

/**
 * Creates the interface (kernel WireGuard if the node has it, else wireguard-go, which daemonizes and
 * returns), adds the addresses listed on stdin one per line, and brings it up.
 */
export function bringUpInterface(ifname: string): string {
  const i = checkedInterface(ifname);
  return [
    'set -e',
    'addresses=$(cat)',
    `ip link add '${i}' type wireguard 2>/dev/null || wireguard-go '${i}'`,
    'printf "%s\\n" "$addresses" | while read -r a; do',
    '  [ -n "$a" ] || continue',
    // No DAD on a point-to-point tunnel, or the v6 address stays tentative for a while.
    `  case "$a" in *:*) ip -6 address add "$a" dev '${i}' nodad ;; *) ip -4 address add "$a" dev '${i}' ;; esac`,
    'done',
    `ip link set dev '${i}' up`,
  ].join('\n');
}

/** Converges the peer set to the wg(8) text on stdin. */
export function syncPeers(ifname: string): string {
  return `wg syncconf '${checkedInterface(ifname)}' /dev/stdin`;
}

export function dumpInterface(ifname: string): string {
  return `wg show '${checkedInterface(ifname)}' dump`;
}

const CHAIN_NAME = /^[A-Za-z0-9_.+=-]{1,28}$/;

/**
 * Applies the iptables-restore text on stdin without touching other rules, then makes sure each
 * builtin chain jumps to our chain exactly once: `--noflush` appends, so the jumps must not be in
 * the restored text or every re-apply would add another.
 */
export function applyPortForwards(ifname: string): string {
  const jumps = portForwardChains(checkedInterface(ifname)).map(({ table, builtinChain, chain }) => {
    if (!CHAIN_NAME.test(chain)) throw new Error(`node-commands: bad chain name ${chain}`);
    if (table !== 'nat' && table !== 'filter') throw new Error(`node-commands: bad table ${String(table)}`);
    if (!['PREROUTING', 'POSTROUTING', 'FORWARD'].includes(builtinChain)) throw new Error(`node-commands: bad chain ${builtinChain}`);
    return `iptables -w -t ${table} -C ${builtinChain} -j ${chain} 2>/dev/null || iptables -w -t ${table} -I ${builtinChain} -j ${chain}`;
  });
  return ['set -e', 'iptables-restore -w --noflush', ...jumps].join('\n');
}
