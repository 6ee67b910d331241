export { WireguardInputError } from './errors.js';
export {
  clampPrivateKey,
  generateKeyPair,
  generatePresharedKey,
  isValidKey,
  publicKeyFromPrivate,
  type WgKeyPair,
} from './keys.js';
export { ADDRESS_BITS, formatIp, parseIp, tryParseIp, type IpAddress, type IpVersion } from './ip-address.js';
export { ipv4ToNumber, numberToIpv4 } from './ipv4.js';
export { bigIntToIpv6, ipv6ToBigInt } from './ipv6.js';
export { cidrContains, cidrSize, parseCidr, tryParseInterfaceAddress, type Cidr, type PrefixedAddress } from './cidr.js';
export { isValidCidr, isValidInterfaceName, isValidIp, isValidPort } from './validators.js';
export { formatEndpoint, isValidEndpoint, isValidHostname, tryParseEndpoint, type Endpoint } from './endpoint.js';
export { allocateAddress, clientAddressRange, serverAddress, type AllocationResult, type ClientAddressRange } from './address-pool.js';
export {
  MTU_RANGE,
  normalizeClientConfig,
  PRIVATE_KEY_PLACEHOLDER,
  renderClientConfig,
  type ClientConfig,
  type ClientPeer,
} from './client-config.js';
export { parseClientConfig } from './client-config-parser.js';
export { renderServerPeers, type ServerPeer, type ServerPeerSet } from './server-peers.js';
export { parseWgDump, type InterfaceStatus, type PeerStatus, type WgDump } from './dump.js';
export {
  IPTABLES_RESTORE_ARGV,
  portForwardChains,
  renderPortForwardRules,
  type ChainJump,
  type ForwardProtocol,
  type PortForwardRule,
  type PortForwardSet,
} from './port-forward-rules.js';
export { checkDnsEntry, checkInteger, checkInterfaceAddress, checkKey, checkLine, checkText } from './field-checks.js';
export { checkDnsText, checkEndpointHost, checkNetworkText, dnsEntriesOf, networksOf } from './typed-lists.js';
export { renderWgdashboardPeerFile, type WgdashboardPeerFile } from './wgdashboard-peer-file.js';
export {
  ifbDevice,
  ifbDeviceName,
  isShapingDeviceName,
  MAX_LIMITED_PEERS,
  renderShapingBatch,
  SHAPING_RATE_KBIT,
  type IfbDevice,
  type LimitedPeer,
  type ShapingSet,
} from './shaping.js';
export {
  canonicalTlsName,
  DEFAULT_CA_BUNDLE,
  DEFAULT_DOT_PORT,
  dnsForwarderPaths,
  MAX_DNS_UPSTREAMS,
  NODE_RUNTIME_DIRECTORY,
  renderDnsForwarderConfig,
  type DnsForwarderSet,
  type DnsTlsUpstream,
} from './dns-forwarder.js';
