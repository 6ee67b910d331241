import { isValidHostname } from './endpoint.js';
import { WireguardInputError } from './errors.js';
import { checkCidr, checkInteger, checkIp, checkList, checkText } from './field-checks.js';
import { isValidInterfaceName } from './validators.js';

/** One DNS-over-TLS resolver the node forwards to; its certificate must name `tlsName`. */
export interface DnsTlsUpstream {
  /** An IPv4 or IPv6 literal: the node never resolves a name to find its resolver. */
  address: string;
  tlsName: string;
  /** 1–65535; 853 when absent. */
  port?: number | null;
}

export interface DnsForwarderSet {
  /** The WireGuard interface this resolver serves; names its pid file. */
  interfaceName: string;
  /** The server's own tunnel IPv4, where the resolver listens (port 53). */
  tunnelIpv4: string;
  /** The server's tunnel IPv6 when the server has a v6 subnet. */
  tunnelIpv6?: string | null;
  /** The client subnets allowed to query; every other source is refused. */
  allowedSubnets: string[];
  /** 1 to 4 resolvers, tried by unbound in the order it finds fastest. */
  upstreams: DnsTlsUpstream[];
  /** PEM bundle the upstream certificates are verified against; the node's system bundle by default. */
  caBundle?: string | null;
  /** unbound's working directory and where its pid file goes. */
  runtimeDirectory: string;
}

export const DEFAULT_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Where the push keeps a node's runtime files (resolver configs and pids, shaping state): tmpfs, gone with a reboot like the state they describe. */
export const NODE_RUNTIME_DIRECTORY = '/run/wgfleet';
export const DEFAULT_DOT_PORT = 853;
export const MAX_DNS_UPSTREAMS = 4;

/** Absolute, and only characters no unbound config reader treats specially (no quote, space, `#`). */
const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/;

/** Where one server's forwarder keeps its files, so whoever starts, reloads or stops it agrees. */
export function dnsForwarderPaths(runtimeDirectory: string, interfaceName: string): { configFile: string; pidFile: string } {
  const dir = checkDirectory(runtimeDirectory);
  const name = checkInterfaceName(interfaceName);
  const base = `${dir === '/' ? '' : dir}/unbound-${name}`;
  return { configFile: `${base}.conf`, pidFile: `${base}.pid` };
}

/**
 * The whole unbound.conf of one server's caching resolver: it answers only on the server's tunnel
 * addresses, only to its client subnets, and forwards every name only over TLS with the upstream's
 * certificate checked against `caBundle`. Every value is validated and re-serialised, so nothing a
 * request carries can add a directive (e.g. a second forward-addr without TLS).
 */
export function renderDnsForwarderConfig(set: DnsForwarderSet): string {
  if (typeof set !== 'object' || set === null) throw new WireguardInputError('set', 'set must be an object');
  const { pidFile } = dnsForwarderPaths(set.runtimeDirectory, set.interfaceName);
  const directory = checkDirectory(set.runtimeDirectory);
  const listen = [checkIp('tunnelIpv4', set.tunnelIpv4, 4)];
  if (set.tunnelIpv6 !== undefined && set.tunnelIpv6 !== null) listen.push(checkIp('tunnelIpv6', set.tunnelIpv6, 6));
  const allowed = checkList('allowedSubnets', set.allowedSubnets, (field, value) => checkCidr(field, value), { minLength: 1 });
  const upstreams = checkUpstreams(set.upstreams);
  const caBundle = set.caBundle === undefined || set.caBundle === null ? DEFAULT_CA_BUNDLE : checkPath('caBundle', set.caBundle);

  const lines = [
    'server:',
    '  verbosity: 1',
    '  use-syslog: no',
    '  logfile: ""',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${directory}"`,
    `  pidfile: "${pidFile}"`,
    // Only the listed addresses, and bound even before the tunnel is up (after a reboot unbound may
    // start first); never the wildcard, which would answer on the node's public address.
    '  interface-automatic: no',
    '  ip-freebind: yes',
    '  port: 53',
    ...listen.map((ip) => `  interface: ${ip}@53`),
    '  do-ip4: yes',
    '  do-ip6: yes',
    '  do-udp: yes',
    '  do-tcp: yes',
    // Most specific wins: the client subnets are allowed, every other source is refused.
    '  access-control: 0.0.0.0/0 refuse',
    '  access-control: ::/0 refuse',
    ...allowed.map((cidr) => `  access-control: ${cidr} allow`),
    '  do-not-query-localhost: yes',
    // The TLS-authenticated upstream validates; a stale trust anchor on the node would turn every
    // answer into SERVFAIL, so this resolver only forwards and caches.
    '  module-config: "iterator"',
    '  hide-identity: yes',
    '  hide-version: yes',
    '  harden-glue: yes',
    '  harden-below-nxdomain: yes',
    '  harden-short-bufsize: yes',
    '  harden-large-queries: yes',
    '  minimal-responses: yes',
    '  qname-minimisation: yes',
    '  rrset-roundrobin: yes',
    '  prefetch: yes',
    `  tls-cert-bundle: "${caBundle}"`,
    '',
    'remote-control:',
    '  control-enable: no',
    '',
    'forward-zone:',
    '  name: "."',
    // With forward-first off, a failed upstream is SERVFAIL: never a fallback to plain-text recursion.
    '  forward-first: no',
    '  forward-tls-upstream: yes',
    ...upstreams.map((u) => `  forward-addr: ${u.address}@${u.port}#${u.tlsName}`),
  ];
  return `${lines.join('\n')}\n`;
}

function checkInterfaceName(value: unknown): string {
  if (!isValidInterfaceName(value)) {
    throw new WireguardInputError('interfaceName', 'interfaceName must be 1-15 letters, digits or _=.- and must not start with "-"');
  }
  return value as string;
}

function checkPath(field: string, value: unknown): string {
  const text = checkText(field, value);
  if (!SAFE_PATH.test(text) || text.split('/').includes('..')) {
    throw new WireguardInputError(field, `${field} must be an absolute path of letters, digits and ._/- without ".." segments`);
  }
  return text;
}

/** Without trailing slashes, so `/run/x` and `/run/x/` render the same text. */
function checkDirectory(value: unknown): string {
  return checkPath('runtimeDirectory', value).replace(/\/+$/, '') || '/';
}

/**
 * A resolver's certificate name as unbound checks it: a DNS name of at least two labels, lower-case,
 * without a trailing dot; null when the text is no such name.
 */
export function canonicalTlsName(value: string): string | null {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return isValidHostname(name) && name.includes('.') ? name.toLowerCase() : null;
}

function checkTlsName(field: string, value: unknown): string {
  const name = canonicalTlsName(checkText(field, value));
  if (name === null) {
    throw new WireguardInputError(field, `${field} must be a DNS name such as cloudflare-dns.com (the name on the resolver's certificate)`);
  }
  return name;
}

function checkUpstreams(value: unknown): Array<{ address: string; tlsName: string; port: number }> {
  if (!Array.isArray(value)) throw new WireguardInputError('upstreams', 'upstreams must be an array');
  if (value.length < 1 || value.length > MAX_DNS_UPSTREAMS) {
    throw new WireguardInputError('upstreams', `upstreams must list 1 to ${MAX_DNS_UPSTREAMS} resolvers`);
  }
  const seen = new Set<string>();
  return value.map((upstream: DnsTlsUpstream, index) => {
    const field = `upstreams[${index}]`;
    if (typeof upstream !== 'object' || upstream === null) throw new WireguardInputError(field, `${field} must be an object`);
    const address = checkIp(`${field}.address`, upstream.address);
    const tlsName = checkTlsName(`${field}.tlsName`, upstream.tlsName);
    const port = upstream.port === undefined || upstream.port === null ? DEFAULT_DOT_PORT : checkInteger(`${field}.port`, upstream.port, 1, 65535);
    const key = `${address}@${port}`;
    if (seen.has(key)) throw new WireguardInputError(field, `upstreams list ${key} twice`);
    seen.add(key);
    return { address, tlsName, port };
  });
}
