import { formatIp, generateKeyPair, generatePresharedKey, isValidKey, publicKeyFromPrivate } from '@wgfleet/wireguard';
import { pythonTruthy } from '../python-truthy.js';
import { DNS_FORMAT_INCORRECT, ENDPOINT_ALLOWED_IPS_INCORRECT, peerFileFieldsProblem } from './peer-file-fields.js';
import { freeAddresses, freeCount, poolContains, tryParseNetwork, type AddressPool } from './available-ips.js';

/** The defaults a request leaves out (the node's `[Peers]` settings). */
export interface PeerDefaults {
  dns: string;
  endpointAllowedIp: string;
  mtu: number;
  keepalive: number;
  remoteEndpoint: string;
}

/** One peer to create, in WGDashboard's terms and in wgfleet's (its own addresses split out). */
export interface PlannedPeer {
  name: string;
  publicKey: string;
  privateKey: string | null;
  presharedKey: string | null;
  ipv4: string;
  ipv6: string | null;
  routedIps: string[];
  dns: string;
  endpointAllowedIp: string;
  mtu: number;
  keepalive: number;
  remoteEndpoint: string;
}

export type AddPeersPlan = { ok: true; peers: PlannedPeer[] } | { ok: false; message: string };

export interface AddPeersContext {
  pools: AddressPool[];
  used: ReadonlySet<string>;
  /** Public keys the configuration holds already (active and restricted). */
  publicKeys: ReadonlySet<string>;
  defaults: PeerDefaults;
  now: Date;
}

/** Upstream's catch-all answer: anything its `try` block raises (a host-bits address, a bad list…). */
export const ADD_PEERS_FAILED = 'Add peers failed. Please see data for specific issue';
/** wgfleet gives every peer one IPv4 address of its configuration (the portal's model); upstream would take any. */
export const NEEDS_IPV4 = 'Every peer needs one IPv4 address of this configuration in allowed_ips (wgfleet routes each peer by it)';

/**
 * What `addPeers` (notes §2.26) would create for this body, or upstream's message for why not. Pure:
 * the caller checks nothing more than a race on the addresses chosen here.
 */
export function planAddPeers(body: Record<string, unknown>, context: AddPeersContext): AddPeersPlan {
  const shared = sharedSettings(body, context.defaults);
  if (shared === null) return fail(ADD_PEERS_FAILED);
  // Upstream stores DNS and endpoint_allowed_ip unchecked and writes them into the peer's file: a
  // line break there added `PostUp = …`, which wg-quick runs as root on the client. The file's own
  // checks, before anything is stored (for the request's values and the settings' alike).
  const problem = peerFileFieldsProblem(shared);
  if (problem !== null) return fail(problem + defaultsAdvice(body, problem));
  return pythonTruthy(body.bulkAdd ?? false) ? planBulk(body, context, shared) : planSingle(body, context, shared);
}

/** When the refused value is a setting's (stored before it was checked), which setting to correct. */
function defaultsAdvice(body: Record<string, unknown>, problem: string): string {
  const setting =
    problem === DNS_FORMAT_INCORRECT && body.DNS === undefined
      ? 'peer_global_dns'
      : problem === ENDPOINT_ALLOWED_IPS_INCORRECT && body.endpoint_allowed_ip === undefined
        ? 'peer_endpoint_allowed_ip'
        : problem.endsWith('is not a valid remote endpoint: send an IP address or a host name')
          ? 'remote_endpoint'
          : null;
  return setting === null ? '' : ` (the ${setting} setting: correct it with updateDashboardConfigurationItem)`;
}

type SharedSettings = Pick<PlannedPeer, 'dns' | 'endpointAllowedIp' | 'mtu' | 'keepalive' | 'remoteEndpoint'>;

/** DNS, endpoint_allowed_ip, mtu and keepalive: the request's, else the settings' (a bad mtu or keepalive silently falls back, as upstream). */
function sharedSettings(body: Record<string, unknown>, defaults: PeerDefaults): SharedSettings | null {
  const dns = body.DNS ?? defaults.dns;
  const endpointAllowedIp = body.endpoint_allowed_ip ?? defaults.endpointAllowedIp;
  if (typeof dns !== 'string' || typeof endpointAllowedIp !== 'string') return null;
  const mtu = Number.isInteger(body.mtu) && (body.mtu as number) >= 0 && (body.mtu as number) <= 1460 ? (body.mtu as number) : defaults.mtu;
  const keepalive = Number.isInteger(body.keepalive) && (body.keepalive as number) >= 0 && (body.keepalive as number) <= 65535 ? (body.keepalive as number) : defaults.keepalive;
  return { dns, endpointAllowedIp, mtu, keepalive, remoteEndpoint: defaults.remoteEndpoint };
}

function planBulk(body: Record<string, unknown>, context: AddPeersContext, shared: SharedSettings): AddPeersPlan {
  const amount = body.bulkAddAmount ?? 0;
  if (!Number.isInteger(amount) || (amount as number) < 1) return fail('Please specify amount of peers you want to add');
  const available = context.pools.reduce((sum, pool) => sum + freeCount(pool, context.used), 0n);
  if (BigInt(amount as number) > available) return fail(`The maximum number of peers can add is ${available}`);
  // Upstream walks every subnet in Address order; a wgfleet peer needs an IPv4 address, so the IPv4 ones.
  const addresses = context.pools
    .filter((pool) => pool.own.version === 4)
    .flatMap((pool) => freeAddresses(pool, context.used, amount as number))
    .slice(0, amount as number);
  if (addresses.length < (amount as number)) return fail('This configuration does not have any IP address available');
  const stamp = bulkStamp(context.now);
  const withPresharedKey = body.preshared_key_bulkAdd === true;
  return {
    ok: true,
    peers: addresses.map((address, index) => {
      const pair = generateKeyPair();
      return {
        ...shared,
        // Upstream counts from 1 and adds 1 again: the first peer is BulkPeer_2_….
        name: `BulkPeer_${index + 2}_${stamp}`,
        publicKey: pair.publicKey,
        privateKey: pair.privateKey,
        presharedKey: withPresharedKey ? generatePresharedKey() : null,
        ipv4: address.slice(0, address.indexOf('/')),
        ipv6: null,
        routedIps: [],
      };
    }),
  };
}

function planSingle(body: Record<string, unknown>, context: AddPeersContext, shared: SharedSettings): AddPeersPlan {
  const name = body.name ?? '';
  const publicKeyField = body.public_key ?? '';
  const privateKeyField = body.private_key ?? '';
  const presharedKeyField = body.preshared_key ?? '';
  const allowedIps = body.allowed_ips ?? [];
  if (typeof name !== 'string' || typeof publicKeyField !== 'string' || typeof privateKeyField !== 'string' || typeof presharedKeyField !== 'string') {
    return fail(ADD_PEERS_FAILED);
  }
  if (!Array.isArray(allowedIps) || !allowedIps.every((item) => typeof item === 'string')) return fail(ADD_PEERS_FAILED);
  if (publicKeyField !== '' && context.publicKeys.has(publicKeyField)) return fail('This peer already exist');

  // Keys are checked before anything uses them: upstream passes them to a shell unchecked.
  if (publicKeyField !== '' && !isValidKey(publicKeyField)) return fail('Please provide a valid public key (32 bytes, base64)');
  if (privateKeyField !== '' && !isValidKey(privateKeyField)) return fail('Please provide a valid private key (32 bytes, base64)');
  if (presharedKeyField !== '' && !isValidKey(presharedKeyField)) return fail('Please provide a valid preshared key (32 bytes, base64)');
  let publicKey = publicKeyField;
  let privateKey: string | null = privateKeyField === '' ? null : privateKeyField;
  if (publicKey === '') {
    if (privateKey === null) privateKey = generateKeyPair().privateKey;
    publicKey = publicKeyFromPrivate(privateKey);
  } else if (privateKey !== null && publicKeyFromPrivate(privateKey) !== publicKey) {
    return fail('Provided Public Key does not match provided Private Key');
  }
  if (context.publicKeys.has(publicKey)) return fail('This peer already exist');

  const addresses = allowedIps.length === 0 ? firstFree(context) : readAllowedIps(allowedIps as string[], context, pythonTruthy(body.allowed_ips_validation ?? true));
  if (!addresses.ok) return addresses;
  return {
    ok: true,
    peers: [{ ...shared, name, publicKey, privateKey, presharedKey: presharedKeyField === '' ? null : presharedKeyField, ...addresses.split }],
  };
}

type Split = Pick<PlannedPeer, 'ipv4' | 'ipv6' | 'routedIps'>;

/** No allowed_ips: the first free address of the first subnet (upstream takes no other). */
function firstFree(context: AddPeersContext): { ok: true; split: Split } | { ok: false; message: string } {
  const first = context.pools[0];
  if (first === undefined || first.own.version !== 4) return fail(NEEDS_IPV4);
  const [address] = freeAddresses(first, context.used, 1);
  if (address === undefined) return fail('No more available IP can assign');
  return { ok: true, split: { ipv4: address.slice(0, address.indexOf('/')), ipv6: null, routedIps: [] } };
}

/**
 * The request's allowed_ips: networks written without host bits (else upstream's catch-all), each
 * inside one of the configuration's subnets when `allowed_ips_validation` is on. The first /32 of the
 * IPv4 subnet becomes the peer's address (and the first /128 of the IPv6 one); the rest are routed to it.
 */
function readAllowedIps(items: string[], context: AddPeersContext, validate: boolean): { ok: true; split: Split } | { ok: false; message: string } {
  const networks = [];
  for (const item of items) {
    // Upstream's ip_network(strict) raises on host bits or junk: its catch-all answer.
    const network = tryParseNetwork(item.trim());
    if (network === null) return fail(ADD_PEERS_FAILED);
    const inside = context.pools.find((pool) => poolContains(pool, network));
    if (validate && inside === undefined) return fail(`This IP is not available: ${item}`);
    networks.push({ item, network, inside });
  }
  let ipv4: string | null = null;
  let ipv6: string | null = null;
  const routedIps: string[] = [];
  for (const { item, network, inside } of networks) {
    const host = network.prefix === (network.version === 4 ? 32 : 128) && inside !== undefined;
    const address = formatIp({ version: network.version, value: network.network });
    if (host && network.version === 4 && ipv4 === null) ipv4 = address;
    else if (host && network.version === 6 && ipv6 === null) ipv6 = address;
    else routedIps.push(network.text);
    // Upstream does not check this; two peers with one address would take each other's traffic.
    if (host && context.used.has(`${network.version}:${network.network}`)) return fail(`This IP is not available: ${item}`);
  }
  if (ipv4 === null) return fail(NEEDS_IPV4);
  return { ok: true, split: { ipv4, ipv6, routedIps } };
}

/** `YYYYmmdd_HHMMSS` in local time, as upstream's `datetime.now().strftime`. */
function bulkStamp(now: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}_${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
