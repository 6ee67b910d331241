import { checkLine, formatIp, isShapingDeviceName, isValidInterfaceName, isValidKey, parseIp, serverAddress, type IpAddress } from '@wgfleet/wireguard';
import { passes } from '../peers/peer-file-fields.js';

/**
 * Pure checks of what WGDashboard clients send for a configuration. Upstream checks none of these
 * (names reach its shell and file paths); each returns the value to use, or the message to answer
 * with `status:false`.
 */

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(message: string): Checked<T> => ({ ok: false, message });

export const NAME_RULE = 'a configuration name is 1 to 15 letters, digits or _ = . - (not starting with "-"), such as wg0';

/** wg-quick's rule for interface names, minus what breaks `ip`/`wg`/iptables (the core's validator). */
export function checkConfigurationName(value: unknown): Checked<string> {
  if (!isValidInterfaceName(value)) return fail(`Please provide a valid configuration name: ${NAME_RULE}`);
  // The node's traffic shaping devices are named so; a configuration of that name would be one.
  if (isShapingDeviceName(value as string)) return fail('Please provide a valid configuration name: names starting with "ifb-" or "ifb=" are reserved for traffic shaping');
  return ok(value as string);
}

export function checkPrivateKey(value: unknown): Checked<string> {
  return isValidKey(value) ? ok(value as string) : fail('Please provide a valid private key: 32 bytes in base64, 44 characters ending in "="');
}

const PORT_TEXT = /^[1-9][0-9]{0,4}$/;

/** 1-65535, as a JSON integer or its decimal text (upstream's own UI sends either). */
export function checkListenPort(value: unknown): Checked<number> {
  const port = typeof value === 'number' ? value : typeof value === 'string' && PORT_TEXT.test(value.trim()) ? Number(value.trim()) : NaN;
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? ok(port) : fail('Please provide a valid listen port: an integer from 1 to 65535');
}

/** The server's subnets, as wgfleet keeps them: its own address is the first host of each. */
export interface ConfigurationSubnets {
  ipv4Subnet: string;
  ipv6Subnet: string | null;
}

const ADDRESS_EXAMPLE = 'such as "10.0.20.1/24" or "10.0.20.1/24, fd42:20::1/64"';

/**
 * `Address`: one IPv4 and at most one IPv6 interface address with their prefix, comma-separated.
 * wgfleet hands clients the addresses after the server's, so the server's must be the first host
 * of its subnet; another one is refused with the address to use instead.
 */
export function checkAddress(value: unknown): Checked<ConfigurationSubnets> {
  if (typeof value !== 'string' || value.trim() === '') return fail(`Please provide a valid address, ${ADDRESS_EXAMPLE}`);
  const parts = value.split(',').map((part) => part.trim());
  const subnets: { 4: string[]; 6: string[] } = { 4: [], 6: [] };
  for (const part of parts) {
    const slash = part.indexOf('/');
    if (slash < 0) return fail(`Address "${part}" has no prefix length: write it with its subnet, ${ADDRESS_EXAMPLE}`);
    const address = interfaceAddress(part.slice(0, slash), part.slice(slash + 1));
    if (address === null) return fail(`Address "${part}" is not an IP address with a prefix length, ${ADDRESS_EXAMPLE}`);
    const { ip, prefix } = address;
    const bits = ip.version === 4 ? 32 : 128;
    const hostBits = (1n << BigInt(bits - prefix)) - 1n;
    const network = `${formatIp({ version: ip.version, value: ip.value & ~hostBits })}/${prefix}`;
    let first: string;
    try {
      first = `${serverAddress(network)}/${prefix}`;
    } catch {
      return fail(`Address "${part}": the subnet ${network} is too small to hold the server and a peer`);
    }
    if (`${formatIp(ip)}/${prefix}` !== first) return fail(`Address "${part}": the server's address must be the first host of ${network}; use ${first}`);
    const cidr = { version: ip.version };
    subnets[cidr.version].push(network);
  }
  if (subnets[4].length !== 1) return fail(`Please provide exactly one IPv4 address (and at most one IPv6 address), ${ADDRESS_EXAMPLE}`);
  if (subnets[6].length > 1) return fail(`Please provide at most one IPv6 address, ${ADDRESS_EXAMPLE}`);
  return ok({ ipv4Subnet: subnets[4][0]!, ipv6Subnet: subnets[6][0] ?? null });
}

function interfaceAddress(ipText: string, prefixText: string): { ip: IpAddress; prefix: number } | null {
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  let ip: IpAddress;
  try {
    ip = parseIp(ipText.trim(), 'Address');
  } catch {
    return null;
  }
  const prefix = Number(prefixText);
  return prefix <= (ip.version === 4 ? 32 : 128) ? { ip, prefix } : null;
}

/** A hook or Table value: stored and shown, never run; one line, as it appears in a wg-quick file. */
export function checkStoredText(key: string, value: unknown): Checked<string> {
  if (typeof value !== 'string') return fail(`${key} must be a string`);
  // The raw file's renderer refuses what `checkLine` refuses (CR, NEL, U+2028…): so is it here, before it is stored.
  if (!passes(checkLine, value)) return fail(`${key} must be one line (no line breaks)`);
  return ok(value.trim());
}

/** Python's `str()` of a JSON value, for upstream's messages and comparisons (`str(data["ListenPort"])`). */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pythonFloatRepr(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function pythonFloatRepr(value: number): string {
  const text = String(value);
  return /e/.test(text) ? text.replace(/e([+-])(\d)$/, 'e$10$2') : text;
}
