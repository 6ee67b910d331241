import { WireguardInputError } from './errors.js';
import { checkInteger, checkIp } from './field-checks.js';
import { isValidInterfaceName } from './validators.js';

export type ForwardProtocol = 'tcp' | 'udp' | 'both';

export interface PortForwardRule {
  id: number;
  /** The node's public IPv4 the outside world connects to. */
  publicIp: string;
  externalPort: number;
  /** The user's tunnel IPv4. */
  targetIp: string;
  internalPort: number;
  protocol: ForwardProtocol;
}

export interface PortForwardSet {
  interfaceName: string;
  /** The server's own tunnel IPv4: replies come back through the tunnel without widening the peer's AllowedIPs. */
  serverTunnelIp: string;
  forwards: PortForwardRule[];
}

export interface ChainJump {
  table: 'nat' | 'filter';
  builtinChain: 'PREROUTING' | 'POSTROUTING' | 'FORWARD';
  chain: string;
}

/** Pipe `renderPortForwardRules` into this. `--noflush` keeps everyone else's rules; our chains are rebuilt. */
export const IPTABLES_RESTORE_ARGV: readonly string[] = Object.freeze(['iptables-restore', '--noflush']);

const PROTOCOLS: Record<ForwardProtocol, Array<'tcp' | 'udp'>> = { tcp: ['tcp'], udp: ['udp'], both: ['tcp', 'udp'] };

/**
 * The chains wgfleet owns for one interface and where each is jumped to from. The jumps are not part of
 * the restore text (`--noflush` would append them again on every apply): the driver checks each with
 * `iptables -t TABLE -C BUILTIN -j CHAIN` and inserts it once.
 */
export function portForwardChains(interfaceName: string): ChainJump[] {
  if (!isValidInterfaceName(interfaceName)) {
    throw new WireguardInputError('interfaceName', 'interfaceName must be 1-15 letters, digits or _=.- and must not start with "-"');
  }
  return [
    { table: 'nat', builtinChain: 'PREROUTING', chain: `WGF-PRE-${interfaceName}` },
    { table: 'nat', builtinChain: 'POSTROUTING', chain: `WGF-POST-${interfaceName}` },
    { table: 'filter', builtinChain: 'FORWARD', chain: `WGF-FWD-${interfaceName}` },
  ];
}

/**
 * The whole content of our chains as `iptables-restore --noflush` input. Declaring a chain with
 * `:CHAIN - [0:0]` empties it first, so applying the same text twice leaves exactly the same rules.
 */
export function renderPortForwardRules(set: PortForwardSet): string {
  if (typeof set !== 'object' || set === null) throw new WireguardInputError('set', 'set must be an object');
  const [pre, post, fwd] = portForwardChains(set.interfaceName).map((jump) => jump.chain);
  const iface = set.interfaceName;
  const serverTunnelIp = checkIp('serverTunnelIp', set.serverTunnelIp, 4);
  const forwards = checkForwards(set.forwards);
  const dnat: string[] = [];
  const snat: string[] = [];
  const accept: string[] = [];
  for (const rule of forwards) {
    const comment = `-m comment --comment "wgfleet-pf-${rule.id}"`;
    for (const proto of PROTOCOLS[rule.protocol]) {
      const toTarget = `-d ${rule.targetIp}/32 -o ${iface} -p ${proto} -m ${proto} --dport ${rule.internalPort}`;
      dnat.push(`-A ${pre} -d ${rule.publicIp}/32 -p ${proto} -m ${proto} --dport ${rule.externalPort} ${comment} -j DNAT --to-destination ${rule.targetIp}:${rule.internalPort}`);
      snat.push(`-A ${post} ${toTarget} ${comment} -j SNAT --to-source ${serverTunnelIp}`);
      accept.push(`-A ${fwd} ${toTarget} -m conntrack --ctstate NEW ${comment} -j ACCEPT`);
    }
  }
  const lines = [
    '*nat',
    `:${pre} - [0:0]`,
    `:${post} - [0:0]`,
    ...dnat,
    ...snat,
    'COMMIT',
    '*filter',
    `:${fwd} - [0:0]`,
    `-A ${fwd} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
    ...accept,
    'COMMIT',
  ];
  return `${lines.join('\n')}\n`;
}

/** Validated, canonical copies sorted by id; duplicate ids or public ip:port/protocol pairs are refused. */
function checkForwards(forwards: unknown): PortForwardRule[] {
  if (!Array.isArray(forwards)) throw new WireguardInputError('forwards', 'forwards must be an array');
  const ids = new Set<number>();
  const listeners = new Map<string, number>();
  const checked = forwards.map((rule: PortForwardRule, index): PortForwardRule => {
    const field = `forwards[${index}]`;
    if (typeof rule !== 'object' || rule === null) throw new WireguardInputError(field, `${field} must be an object`);
    const id = checkInteger(`${field}.id`, rule.id, 1, Number.MAX_SAFE_INTEGER);
    if (ids.has(id)) throw new WireguardInputError(`${field}.id`, `two forwards have id ${id}; ids must be unique`);
    ids.add(id);
    if (!Object.hasOwn(PROTOCOLS, rule.protocol)) {
      throw new WireguardInputError(`${field}.protocol`, `${field}.protocol must be "tcp", "udp" or "both"`);
    }
    const checkedRule: PortForwardRule = {
      id,
      publicIp: checkIp(`${field}.publicIp`, rule.publicIp, 4),
      externalPort: checkInteger(`${field}.externalPort`, rule.externalPort, 1, 65535),
      targetIp: checkIp(`${field}.targetIp`, rule.targetIp, 4),
      internalPort: checkInteger(`${field}.internalPort`, rule.internalPort, 1, 65535),
      protocol: rule.protocol,
    };
    // A second DNAT for the same public ip:port would never match: the first rule always wins.
    for (const proto of PROTOCOLS[checkedRule.protocol]) {
      const listener = `${checkedRule.publicIp}:${checkedRule.externalPort}/${proto}`;
      const owner = listeners.get(listener);
      if (owner !== undefined) {
        throw new WireguardInputError(`${field}.externalPort`, `forwards ${owner} and ${id} both use ${listener}; an external port can be forwarded once per protocol`);
      }
      listeners.set(listener, id);
    }
    return checkedRule;
  });
  return checked.sort((a, b) => a.id - b.id);
}
