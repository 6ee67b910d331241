import { AppError, type FieldError } from '@wgfleet/core';
import { canonicalTlsName, cidrContains, DEFAULT_DOT_PORT, MAX_DNS_UPSTREAMS, parseCidr, tryParseIp, type IpAddress } from '@wgfleet/wireguard';
import { canonicalIp } from './fleet-validation.js';
import type { DnsTlsResolver } from './server.entity.js';

const RESOLVER_FIELDS = new Set(['address', 'tls_name', 'port']);
const EXAMPLE = '[{"address": "1.1.1.1", "tls_name": "cloudflare-dns.com"}]';
/** A field name short and plain enough to be named back in the answer. */
const PLAIN_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Addresses a node can never forward to: its own loopback (the resolver skips it), the unspecified
 * address, multicast and reserved space, and IPv6 link-local (unusable without a zone).
 */
const UNREACHABLE = ['0.0.0.0/8', '127.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', '::1/128', 'fe80::/10', 'ff00::/8'].map((cidr) => parseCidr(cidr));

const isUnreachable = (ip: IpAddress) => UNREACHABLE.some((cidr) => cidrContains(cidr, ip));

/**
 * The resolvers of a `PUT …/dns` body, canonical (addresses in canonical text, names lower-case
 * without a trailing dot, `port` 853 when left out), or a 422 naming every bad field
 * (`resolvers[0].tls_name`). The node's renderer checks them again before anything is pushed.
 */
export function parseDnsResolvers(value: unknown): DnsTlsResolver[] {
  const errors: FieldError[] = [];
  const refuse = (field: string, message: string) => errors.push({ field, message: `${field} ${message}` });
  if (!Array.isArray(value)) {
    refuse('resolvers', `must be a list of 1 to ${MAX_DNS_UPSTREAMS} resolvers such as ${EXAMPLE}`);
  } else if (value.length < 1 || value.length > MAX_DNS_UPSTREAMS) {
    refuse('resolvers', `must list 1 to ${MAX_DNS_UPSTREAMS} resolvers (DELETE the DNS settings to go back to plain DNS)`);
  }
  if (errors.length > 0) throw invalid(errors);

  const resolvers: DnsTlsResolver[] = [];
  const seen = new Map<string, number>();
  (value as unknown[]).forEach((item, index) => {
    const at = `resolvers[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      refuse(at, 'must be an object {"address", "tls_name", "port"}; "port" may be left out (853)');
      return;
    }
    const fields = item as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !RESOLVER_FIELDS.has(key));
    for (const key of unknown) {
      if (PLAIN_KEY.test(key)) refuse(`${at}.${key}`, 'is not a known field; remove it');
      else refuse(at, 'holds a field other than address, tls_name and port; remove it');
    }
    const address = checkAddress(fields.address);
    if (typeof address !== 'string') refuse(`${at}.address`, address.problem);
    const tlsName = typeof fields.tls_name === 'string' ? canonicalTlsName(fields.tls_name) : null;
    if (tlsName === null) refuse(`${at}.tls_name`, "must be a DNS name such as cloudflare-dns.com: the name on the resolver's TLS certificate");
    const port = fields.port === undefined ? DEFAULT_DOT_PORT : fields.port;
    const portOk = typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
    if (!portOk) {
      refuse(`${at}.port`, fields.port === null ? 'must not be null; leave it out for 853' : `must be an integer from 1 to 65535 (${DEFAULT_DOT_PORT} when left out)`);
    }
    if (typeof address !== 'string' || tlsName === null || !portOk) return;
    const key = `${address}@${port}`;
    const first = seen.get(key);
    if (first !== undefined) {
      refuse(at, `repeats resolvers[${first}] (the same address and port); list each resolver once`);
      return;
    }
    seen.set(key, index);
    resolvers.push({ address, tls_name: tlsName, port: port as number });
  });
  if (errors.length > 0) throw invalid(errors);
  return resolvers;
}

function checkAddress(value: unknown): string | { problem: string } {
  const address = canonicalIp(value);
  if (address === null) return { problem: 'must be an IPv4 or IPv6 address such as 1.1.1.1 or 2606:4700:4700::1111 (the node never looks a name up to find its resolver)' };
  if (isUnreachable(tryParseIp(address)!)) {
    return { problem: 'must be a unicast address the node can reach: not loopback, unspecified, multicast, reserved or IPv6 link-local' };
  }
  return address;
}

function invalid(errors: FieldError[]): AppError {
  return new AppError('validation_failed', `invalid input — ${errors.map((e) => e.message).join('; ')}`, errors);
}
