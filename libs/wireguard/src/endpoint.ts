import { formatIp, tryParseIp } from './ip-address.js';

export interface Endpoint {
  host: string;
  port: number;
}

const PORT_TEXT = /^[1-9][0-9]{0,4}$/;
const HOSTNAME_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const ALL_DIGITS = /^[0-9]+$/;

/** A DNS name such as `vpn.example.com` (also a wg-quick DNS search domain). */
export function isValidHostname(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 253) return false;
  const labels = value.split('.');
  // An all-numeric last label would make `10.8.0.256` a "hostname" instead of a bad IPv4 address.
  return labels.every((label) => HOSTNAME_LABEL.test(label)) && !ALL_DIGITS.test(labels[labels.length - 1]);
}

/** `host:port` (IPv4 or DNS name) or `[ipv6]:port`, with the IP host in canonical form; null if invalid. */
export function tryParseEndpoint(text: string): Endpoint | null {
  const colon = text.lastIndexOf(':');
  if (colon < 0 || !PORT_TEXT.test(text.slice(colon + 1))) return null;
  const port = Number(text.slice(colon + 1));
  if (port > 65535) return null;
  const hostText = text.slice(0, colon);
  if (hostText.startsWith('[') && hostText.endsWith(']')) {
    const ip = tryParseIp(hostText.slice(1, -1));
    return ip?.version === 6 ? { host: formatIp(ip), port } : null;
  }
  const ip = tryParseIp(hostText);
  if (ip !== null) return ip.version === 4 ? { host: formatIp(ip), port } : null;
  return isValidHostname(hostText) ? { host: hostText, port } : null;
}

export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

export function isValidEndpoint(value: unknown): boolean {
  return typeof value === 'string' && tryParseEndpoint(value) !== null;
}
