import { dnsForwarderPaths, ifbDeviceName, NODE_RUNTIME_DIRECTORY, WireguardInputError } from '@wgfleet/wireguard';

// The push's second look at what the renderers of libs/wireguard produced for the node's runtime
// state (shaping, DNS resolver), before it goes on the wire: tc and unbound are powerful, so the
// bundle carries only text of the exact shape those renderers write, for this interface alone.

/** The ifb device of `interfaceName`, exactly as ifbDeviceName names it. */
export function checkIfbName(interfaceName: string, ifbName: unknown): string {
  const expected = ifbDeviceName(interfaceName);
  if (ifbName !== expected) throw new WireguardInputError('shaping.ifbName', `shaping.ifbName must be ${expected}, the ifb device of ${interfaceName}`);
  return expected;
}

const TC_LINE = /^(qdisc|class|filter) (add|replace|del) dev \S+( [A-Za-z0-9.:/_=-]+)*$/;

/**
 * renderShapingBatch output: `tc -batch` lines that add, replace or delete qdiscs, classes and filters
 * of this interface and its ifb only (every `dev` word names one of the two), plain characters only.
 */
export function checkShapingBatch(interfaceName: string, ifbName: string, batch: unknown): string {
  const refuse = (why: string) => new WireguardInputError('shaping.batch', `shaping.batch must be renderShapingBatch output: ${why}`);
  if (typeof batch !== 'string' || !batch.endsWith('\n')) throw refuse('text ending with a newline');
  const devices = new Set([interfaceName, ifbName]);
  const lines = batch.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    if (!TC_LINE.test(line)) throw refuse(`line ${i + 1} is not a qdisc, class or filter command of plain words`);
    const words = line.split(' ');
    words.forEach((word, w) => {
      if (word === 'dev' && !devices.has(words[w + 1] ?? '')) throw refuse(`line ${i + 1} names a device other than ${interfaceName} and ${ifbName}`);
    });
  });
  return batch;
}

/** Keys renderDnsForwarderConfig writes (sections included); anything else (include:, a second zone…) is refused. */
const UNBOUND_KEYS = new Set([
  'server', 'remote-control', 'forward-zone',
  'verbosity', 'use-syslog', 'logfile', 'username', 'chroot', 'directory', 'pidfile', 'interface-automatic', 'ip-freebind', 'port',
  'interface', 'do-ip4', 'do-ip6', 'do-udp', 'do-tcp', 'access-control', 'do-not-query-localhost', 'module-config', 'hide-identity',
  'hide-version', 'harden-glue', 'harden-below-nxdomain', 'harden-short-bufsize', 'harden-large-queries', 'minimal-responses',
  'qname-minimisation', 'rrset-roundrobin', 'prefetch', 'tls-cert-bundle', 'control-enable', 'name', 'forward-first',
  'forward-tls-upstream', 'forward-addr',
]);
const SECTION_LINE = /^(server|remote-control|forward-zone):$/;
const SETTING_LINE = /^ {2}([a-z0-9-]+): ("[A-Za-z0-9._/-]*"|[A-Za-z0-9.:@#/_-]+( (allow|refuse))?)$/;

/** Where a server's resolver may listen and whom it may answer: its own tunnel addresses and subnets (canonical). */
export interface ResolverScope {
  interfaceName: string;
  /** The server's tunnel IPs, without prefix. */
  listenIps: readonly string[];
  /** The tunnel subnets. */
  clientSubnets: readonly string[];
}

/**
 * renderDnsForwarderConfig output for this interface under NODE_RUNTIME_DIRECTORY: only the renderer's
 * keys and value shapes, one forward zone for "." over TLS, logging to stderr, the pid file and
 * directory the push manages (each set once: in unbound a later line would win), listening only on
 * the server's tunnel addresses and allowing only its tunnel subnets.
 */
export function checkDnsForwarderConfig(scope: ResolverScope, config: unknown): string {
  const { interfaceName } = scope;
  const listen = new Set(scope.listenIps.map((ip) => `  interface: ${ip}@53`));
  const allow = new Set(scope.clientSubnets.map((cidr) => `  access-control: ${cidr} allow`));
  const refuse = (why: string) => new WireguardInputError('dnsForwarderConfig', `dnsForwarderConfig must be renderDnsForwarderConfig output: ${why}`);
  if (typeof config !== 'string' || !config.startsWith('server:\n') || !config.endsWith('\n')) throw refuse('text starting with "server:"');
  const counts = new Map<string, number>();
  config.slice(0, -1).split('\n').forEach((line, i) => {
    if (line === '') return;
    const section = SECTION_LINE.exec(line);
    const setting = section === null ? SETTING_LINE.exec(line) : null;
    const key = section?.[1] ?? setting?.[1];
    if (key === undefined || !UNBOUND_KEYS.has(key)) throw refuse(`line ${i + 1} is not one of its settings`);
    if (key === 'interface' && !listen.has(line)) throw refuse(`line ${i + 1} listens on an address that is not the server's tunnel address`);
    if (line.startsWith('  access-control: ') && line.endsWith(' allow') && !allow.has(line)) {
      throw refuse(`line ${i + 1} allows a network that is not one of the server's tunnel subnets`);
    }
    counts.set(line, (counts.get(line) ?? 0) + 1);
    counts.set(`key ${key}`, (counts.get(`key ${key}`) ?? 0) + 1);
  });
  const { pidFile } = dnsForwarderPaths(NODE_RUNTIME_DIRECTORY, interfaceName);
  const once: Array<[key: string, line: string]> = [
    ['forward-zone', 'forward-zone:'],
    ['name', '  name: "."'],
    ['forward-first', '  forward-first: no'],
    ['forward-tls-upstream', '  forward-tls-upstream: yes'],
    ['control-enable', '  control-enable: no'],
    ['logfile', '  logfile: ""'],
    ['username', '  username: ""'],
    ['chroot', '  chroot: ""'],
    ['directory', `  directory: "${NODE_RUNTIME_DIRECTORY}"`],
    ['pidfile', `  pidfile: "${pidFile}"`],
  ];
  for (const [key, line] of once) {
    if (counts.get(`key ${key}`) !== 1 || counts.get(line) !== 1) throw refuse(`it must hold "${line.trim()}" once`);
  }
  return config;
}
