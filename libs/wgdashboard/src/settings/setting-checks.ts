import { isDnsText, isEndpointHost, isNetworkText } from '../peers/peer-file-fields.js';
import { isPythonIpAddress, isPythonIpNetwork } from './python-ipaddress.js';
import { pythonStrRepr } from './python-repr.js';

/**
 * The checks a Peers or Server setting passes before it is stored (notes §2.30), each answering
 * upstream's failure message or null. Where upstream's check is loose and the value later lands in
 * a client's configuration file, this one is whole-value (documented deviations), and the values a
 * peer's file takes from these settings pass that file's own checks (`peer-file-fields.ts`) too.
 */

// Upstream's host name pattern. Upstream *searches* for it inside each entry, so `x.com\nPostUp=…`
// passed; here the whole entry must be a host name.
const DNS_HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z]{0,61}[a-z]$/;

/** `Peers.peer_global_dns`: comma-separated IP addresses or host names; spaces are dropped first, as upstream does. */
export function dnsAddressProblem(value: string): string | null {
  if (value.length === 0) return null;
  for (const address of value.replaceAll(' ', '').split(',')) {
    if (!isPythonIpAddress(address) && !DNS_HOST_NAME.test(address)) return `${address} does not appear to be an valid DNS address`;
  }
  // Then what a peer's file can hold, item by item as typed (upstream drops every space first, so
  // `1.1. 1.1` passed its check and reached a file as written).
  if (isDnsText(value)) return null;
  const item = spaceTrimmedItems(value).find((each) => !isDnsText(each)) ?? value;
  return `${item} does not appear to be an valid DNS address`;
}

/** `Peers.peer_endpoint_allowed_ip`: comma-separated networks, each as `ipaddress.ip_network(…, strict=False)` takes it. */
export function endpointAllowedIpProblem(value: string): string | null {
  for (const piece of value.split(',')) {
    const network = pythonStrip(piece);
    if (!isPythonIpNetwork(network)) return `${pythonStrRepr(network)} does not appear to be an IPv4 or IPv6 network`;
  }
  // Then what a peer's file can hold: Python's strip() also drops line breaks, U+2028 and NBSP
  // around an item, which would reach the file as typed.
  if (isNetworkText(value)) return null;
  const piece = spaceTrimmedItems(value).find((each) => !isNetworkText(each)) ?? value;
  return `${pythonStrRepr(piece)} does not appear to be an IPv4 or IPv6 network`;
}

/** The items of a typed list as a peer's file reads them: split on commas, spaces around each dropped. */
function spaceTrimmedItems(value: string): string[] {
  return value.split(',').map((item) => item.replace(/^ +| +$/g, ''));
}

/**
 * `Server.wg_conf_path`: upstream asks whether the path exists on its own disk. Here the path names
 * nothing on this machine (the node's files are the reconciler's), so only its form is checked:
 * absolute, without control characters.
 */
export function confPathProblem(value: string): string | null {
  return /^\/[^\u0000-\u001f\u007f]*$/.test(value) ? null : `${value} is not a valid path`;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `Peers.remote_endpoint` becomes `Endpoint = <it>:<port>` in every client file: an IP address or a host name. Upstream takes anything. */
export function remoteEndpointProblem(value: string): string | null {
  const valid = (isPythonIpAddress(value) || HOST_NAME.test(value)) && value !== '' && isEndpointHost(value);
  return valid ? null : `${value} is not a valid remote endpoint: send an IP address or a host name`;
}

/**
 * `peer_mtu` / `peer_keep_alive`: upstream stores any text and crashes in addPeers on one `int()`
 * refuses; here the stored text must be the whole number addPeers will use, in the range it accepts.
 */
export function wholeNumberProblem(key: string, max: number): (value: string) => string | null {
  return (value) => (/^[0-9]{1,6}$/.test(value) && Number(value) <= max ? null : `${key} must be a whole number from 0 to ${max}`);
}

// Python's str.strip() removes what str.isspace() calls whitespace, which is not JS's trim() set.
const PY_SPACE = '[\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'gu');

export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}
