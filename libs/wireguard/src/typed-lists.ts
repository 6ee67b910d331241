import { tryParseInterfaceAddress } from './cidr.js';
import { isValidHostname } from './endpoint.js';
import { WireguardInputError } from './errors.js';
import { checkDnsEntry, checkText } from './field-checks.js';
import { ADDRESS_BITS, formatIp, tryParseIp } from './ip-address.js';

// WGDashboard keeps DNS, endpoint_allowed_ip and remote_endpoint as the user typed them and writes
// them into a client's file as they are ("1.1.1.1, 8.8.8.8"). These checks accept the typed text
// only when every item is a valid value, so what is written holds nothing but addresses, host
// names, commas and spaces: never a line break, a `#`, or a second directive. They return the text
// unchanged, so a file keeps the bytes its owner typed.

/** The items of a typed list: split on commas, the spaces around each dropped (as upstream reads them). */
function itemsOf(field: string, value: unknown): string[] {
  return checkText(field, value)
    .split(',')
    .map((item) => item.replace(/^ +| +$/g, ''));
}

/** A typed DNS line: '' (no DNS), or DNS server addresses and search domains separated by commas. */
export function checkDnsText(field: string, value: unknown): string {
  const text = checkText(field, value);
  if (text === '') return text;
  itemsOf(field, text).forEach((item, index) => checkDnsEntry(`${field}[${index}]`, item));
  return text;
}

/**
 * A typed list of networks (a client's AllowedIPs, a peer's addresses): one or more addresses with an
 * optional prefix, host bits allowed (`10.0.0.1/24` is read as wg reads it), separated by commas.
 */
export function checkNetworkText(field: string, value: unknown): string {
  const text = checkText(field, value);
  itemsOf(field, text).forEach((item, index) => {
    if (tryParseInterfaceAddress(item) === null) {
      throw new WireguardInputError(`${field}[${index}]`, `${field} must list networks separated by commas, such as 0.0.0.0/0, ::/0`);
    }
  });
  return text;
}

/** The host a client dials (WGDashboard's remote_endpoint): an IP address or a host name; '' when none is known. */
export function checkEndpointHost(field: string, value: unknown): string {
  const text = checkText(field, value);
  if (text === '' || tryParseIp(text) !== null || isValidHostname(text)) return text;
  throw new WireguardInputError(field, `${field} must be an IP address or a host name, such as 198.18.1.2 or vpn.example.com`);
}

/** A typed DNS line's entries, canonical (what a wg-quick client config lists); [] for ''. */
export function dnsEntriesOf(field: string, value: unknown): string[] {
  const text = checkDnsText(field, value);
  return text === '' ? [] : itemsOf(field, text).map((item, index) => checkDnsEntry(`${field}[${index}]`, item));
}

/** A typed network list as canonical networks, host bits cleared as wg(8) clears them (`10.0.0.1/24` → `10.0.0.0/24`). */
export function networksOf(field: string, value: unknown): string[] {
  return itemsOf(field, checkNetworkText(field, value)).map((item) => {
    const { ip, prefix } = tryParseInterfaceAddress(item)!;
    const hostBits = BigInt(ADDRESS_BITS[ip.version] - prefix);
    return `${formatIp({ version: ip.version, value: (ip.value >> hostBits) << hostBits })}/${prefix}`;
  });
}
