import { WireguardInputError } from './errors.js';
import { isValidKey } from './keys.js';

/** Observed interface state. The private key on the dump's first line is dropped on purpose. */
export interface InterfaceStatus {
  /** null when the interface has no private key yet (`(none)`). */
  publicKey: string | null;
  listenPort: number;
  fwmark: number | null;
}

export interface PeerStatus {
  publicKey: string;
  hasPresharedKey: boolean;
  endpoint: string | null;
  allowedIps: string[];
  /** Unix seconds; null when the peer never completed a handshake. */
  latestHandshakeAt: number | null;
  rxBytes: number;
  txBytes: number;
  persistentKeepalive: number | null;
}

export interface WgDump {
  interface: InterfaceStatus;
  peers: PeerStatus[];
}

const NONE = '(none)';
const OFF = 'off';
const INTERFACE_FIELDS = 4;
const PEER_FIELDS = 8;
const WHOLE_NUMBER = /^[0-9]{1,16}$/;
const FWMARK = /^(0x[0-9a-f]{1,8}|[0-9]{1,10})$/;

/**
 * Parses `wg show IF dump` (tab-separated; line 1 is the interface, one line per peer). Error messages
 * give line numbers and field names only: line 1 holds the private key and peer lines hold preshared keys.
 */
export function parseWgDump(text: string): WgDump {
  if (typeof text !== 'string' || text.trim() === '') {
    throw dumpError('the dump is empty; pass the output of `wg show IF dump`');
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const status = parseInterfaceLine(lines[0]);
  const peers = new Array<PeerStatus>(lines.length - 1);
  for (let i = 1; i < lines.length; i++) peers[i - 1] = parsePeerLine(lines[i], i + 1);
  return { interface: status, peers };
}

function parseInterfaceLine(line: string): InterfaceStatus {
  const fields = line.split('\t');
  checkFieldCount(fields, INTERFACE_FIELDS, 1, 'private key, public key, listen port, fwmark');
  const [, publicKey, listenPort, fwmark] = fields;
  if (publicKey !== NONE && !isValidKey(publicKey)) throw fieldError(1, 'public key', 'a WireGuard key or (none)');
  const port = wholeNumber(listenPort, 1, 'listen port');
  if (port > 65535) throw fieldError(1, 'listen port', 'a port from 0 to 65535');
  return { publicKey: publicKey === NONE ? null : publicKey, listenPort: port, fwmark: parseFwmark(fwmark) };
}

function parsePeerLine(line: string, lineNumber: number): PeerStatus {
  const fields = line.split('\t');
  checkFieldCount(fields, PEER_FIELDS, lineNumber, 'public key, preshared key, endpoint, allowed ips, latest handshake, rx, tx, keepalive');
  const [publicKey, presharedKey, endpoint, allowedIps, handshake, rx, tx, keepalive] = fields;
  if (!isValidKey(publicKey)) throw fieldError(lineNumber, 'public key', 'a WireGuard key');
  if (presharedKey !== NONE && !isValidKey(presharedKey)) throw fieldError(lineNumber, 'preshared key', 'a WireGuard key or (none)');
  const handshakeAt = wholeNumber(handshake, lineNumber, 'latest handshake');
  return {
    publicKey,
    hasPresharedKey: presharedKey !== NONE,
    endpoint: endpoint === NONE ? null : endpoint,
    allowedIps: allowedIps === NONE ? [] : allowedIps.split(','),
    latestHandshakeAt: handshakeAt === 0 ? null : handshakeAt,
    rxBytes: wholeNumber(rx, lineNumber, 'transfer rx'),
    txBytes: wholeNumber(tx, lineNumber, 'transfer tx'),
    persistentKeepalive: keepalive === OFF ? null : wholeNumber(keepalive, lineNumber, 'persistent keepalive'),
  };
}

function checkFieldCount(fields: string[], expected: number, lineNumber: number, names: string): void {
  if (fields.length === expected) return;
  // `wg show all dump` puts the interface name first; only the single-interface form is supported.
  const hint = fields.length === expected + 1 ? '; use `wg show IF dump`, not `wg show all dump`' : '';
  throw dumpError(`line ${lineNumber}: expected ${expected} tab-separated fields (${names}), got ${fields.length}${hint}`);
}

function parseFwmark(text: string): number | null {
  if (text === OFF) return null;
  if (!FWMARK.test(text)) throw fieldError(1, 'fwmark', 'off or a number such as 0xca6c');
  return Number(text);
}

function wholeNumber(text: string, lineNumber: number, field: string): number {
  const value = WHOLE_NUMBER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) throw fieldError(lineNumber, field, 'a whole number');
  return value;
}

function fieldError(lineNumber: number, field: string, expected: string): WireguardInputError {
  return dumpError(`line ${lineNumber}: ${field} must be ${expected}`);
}

function dumpError(message: string): WireguardInputError {
  return new WireguardInputError('text', message);
}
