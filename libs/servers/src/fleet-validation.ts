import { utils as sshUtils } from 'ssh2';
import { formatIp, isValidHostname, isValidIp, parseCidr, parseIp, type IpVersion } from '@wgfleet/wireguard';

/**
 * Pure checks for the admin fleet API. Each returns the message to show for the field (without
 * echoing the value, which may be a secret) or null when the value is fine.
 */

const MAX_PREFIX: Record<IpVersion, number> = { 4: 30, 6: 126 };
const EXAMPLE_NETWORK: Record<IpVersion, string> = { 4: '10.8.0.0/24', 6: 'fd42:66:1::/64' };

/** A canonical network of the version, small enough to hold a server and at least one client. */
export function checkSubnet(value: unknown, version: IpVersion): string | null {
  if (typeof value !== 'string') return `must be an IPv${version} network in CIDR notation such as ${EXAMPLE_NETWORK[version]}`;
  let cidr;
  try {
    cidr = parseCidr(value);
  } catch (error) {
    const message = (error as Error).message;
    // parseCidr's own message says which network to write instead when host bits are set.
    return message.includes('host bits') ? message : `must be an IPv${version} network in CIDR notation such as ${EXAMPLE_NETWORK[version]}`;
  }
  if (cidr.version !== version) return `must be an IPv${version} network such as ${EXAMPLE_NETWORK[version]}`;
  if (cidr.prefix > MAX_PREFIX[version]) return `the prefix must be /${MAX_PREFIX[version]} or shorter, to leave room for clients`;
  return null;
}

/** The network in the form Postgres and the wireguard lib print it. */
export function canonicalSubnet(value: string): string {
  return parseCidr(value).text;
}

/** Canonical text of an IP address of the version, or null (`010.0.0.1`, `0x0a.0.0.1`, `::ffff:1.2.3.4` are null). */
export function canonicalIp(value: unknown, version?: IpVersion): string | null {
  return isValidIp(value, version) ? formatIp(parseIp(value as string)) : null;
}

/** A DNS name or an IP address (canonical), or null. */
export function canonicalHost(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  return canonicalIp(value) ?? (isValidHostname(value) ? value.toLowerCase() : null);
}

export interface PortRange {
  min: number;
  max: number;
}

const PORT_RANGE = /^([1-9][0-9]{0,4})-([1-9][0-9]{0,4})$/;

/** `"20000-29999"` → {min, max}, or null unless 1 ≤ min ≤ max ≤ 65535. */
export function parsePortRange(value: unknown): PortRange | null {
  if (typeof value !== 'string') return null;
  const match = PORT_RANGE.exec(value);
  if (!match) return null;
  const min = Number(match[1]);
  const max = Number(match[2]);
  return min <= max && max <= 65535 ? { min, max } : null;
}

export const HOST_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const COMMENT = /^[\x21-\x7e]([\x20-\x7e]{0,254})$/;

/**
 * A public host key line, `<type> <base64>` with an optional comment (as in `ssh_host_*_key.pub`).
 * Returns the normalised `<type> <base64>` (no comment) or an error message.
 */
export function parseHostKeyLine(value: unknown): { line: string } | { error: string } {
  const expected =
    'must be one line "<type> <base64>" such as the node\'s /etc/ssh/ssh_host_ed25519_key.pub; ' +
    `type is one of ${HOST_KEY_TYPES.join(', ')}`;
  if (typeof value !== 'string' || value.length > 16384 || /[\r\n\0]/.test(value.trim())) return { error: expected };
  const [type, blob, ...rest] = value.trim().split(/ +/);
  if (!type || !blob || !(HOST_KEY_TYPES as readonly string[]).includes(type)) return { error: expected };
  if (rest.length > 0 && !COMMENT.test(rest.join(' '))) return { error: expected };
  if (!BASE64.test(blob)) return { error: 'the key part is not base64' };
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.toString('base64') !== blob) return { error: 'the key part is not canonical base64' };
  if (bytes.length < 4) return { error: 'the key part is too short to be an SSH public key' };
  const length = bytes.readUInt32BE(0);
  if (length > bytes.length - 4 || bytes.subarray(4, 4 + length).toString('latin1') !== type) {
    return { error: `the key's embedded type does not match "${type}"` };
  }
  const line = `${type} ${blob}`;
  const parsed = sshUtils.parseKey(line);
  if (parsed instanceof Error || Array.isArray(parsed) || parsed.isPrivateKey()) {
    return { error: `the key is not a valid ${type} public key` };
  }
  return { line };
}

/** An unencrypted OpenSSH or PEM private key that ssh2 can use; the error never quotes the key. */
export function checkPrivateKey(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return 'must be an OpenSSH or PEM private key (the text of the key file)';
  let parsed: ReturnType<typeof sshUtils.parseKey>;
  try {
    parsed = sshUtils.parseKey(value);
  } catch {
    return 'must be an OpenSSH or PEM private key (the text of the key file)';
  }
  if (parsed instanceof Error) {
    return /passphrase|encrypted/i.test(parsed.message)
      ? 'is encrypted with a passphrase; provide an unencrypted key (ssh-keygen -p -N "" -f <file>)'
      : 'must be an OpenSSH or PEM private key (the text of the key file)';
  }
  if (Array.isArray(parsed)) return 'must hold exactly one key';
  if (!parsed.isPrivateKey()) return 'is a public key; provide the private key';
  return null;
}
