import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { DEFAULT_DOT_PORT, MAX_DNS_UPSTREAMS } from '@wgfleet/wireguard';
import { clientDnsOf } from './client-dns.js';
import type { DnsMode, DnsTlsResolver, ServerEntity } from './server.entity.js';
import { syncStateOf } from './sync-state.js';

/** What every DNS route's documentation says about the answer and the node. */
export const DNS_ROUTE_DESCRIPTION =
  'Answers `{"mode": "plain"|"tls", "resolvers": [{"address", "tls_name", "port"}], "client_dns": [...], "provisioning": {"state", "error"}}`. ' +
  '`tls`: the node runs a caching resolver (unbound) on the server\'s tunnel addresses, answering only its clients and forwarding ' +
  "every query only over TLS to `resolvers`, their certificates verified against the node's system CA bundle; every user's client config " +
  "says `DNS = <server tunnel IPv4>[, <server tunnel IPv6>]`. `plain`: no resolver on the node; configs say the server's `dns` " +
  '(or the DNS a user was created with). `client_dns` is what the configs say; `provisioning` turns `active` once the node holds the ' +
  'latest change (`pending` until then, `error` with the reason).';

/**
 * `PUT …/dns`. Only the presence of `resolvers` is checked here (so the pipe's whitelist knows the
 * field); parseDnsResolvers checks each resolver and names the bad field (`resolvers[0].tls_name`).
 */
export class PutServerDnsDto {
  @ApiProperty({
    minItems: 1,
    maxItems: MAX_DNS_UPSTREAMS,
    description:
      'The DNS-over-TLS resolvers the node forwards to. `address`: an IPv4 or IPv6 address (never a name); ' +
      "`tls_name`: the DNS name on the resolver's certificate, which the node verifies against its system CA bundle; " +
      `\`port\`: 1–65535, ${DEFAULT_DOT_PORT} when left out. No resolver twice (same address and port).`,
    example: [{ address: '1.1.1.1', tls_name: 'cloudflare-dns.com' }, { address: '2606:4700:4700::1111', tls_name: 'cloudflare-dns.com', port: 853 }],
    type: 'array',
    items: {
      type: 'object',
      required: ['address', 'tls_name'],
      properties: {
        address: { type: 'string', example: '1.1.1.1' },
        tls_name: { type: 'string', example: 'cloudflare-dns.com' },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: DEFAULT_DOT_PORT },
      },
    },
  })
  @IsDefined({ message: `resolvers is required: a list of 1 to ${MAX_DNS_UPSTREAMS} resolvers such as [{"address": "1.1.1.1", "tls_name": "cloudflare-dns.com"}]` })
  resolvers: unknown;
}

export interface ServerDnsDto {
  mode: DnsMode;
  /** Empty when plain. */
  resolvers: DnsTlsResolver[];
  /** What every user's client config says for DNS (a user created with its own `dns` keeps it while the mode is plain). */
  client_dns: string[];
  /** Whether the node runs what this says: `active` once the server's latest change is on its node. */
  provisioning: { state: 'pending' | 'active' | 'error'; error: string | null };
}

export function toServerDnsDto(server: ServerEntity): ServerDnsDto {
  const sync = syncStateOf(server);
  return {
    mode: server.dnsMode,
    resolvers: server.dnsMode === 'tls' ? (server.dnsTlsResolvers ?? []).map(({ address, tls_name, port }) => ({ address, tls_name, port })) : [],
    client_dns: clientDnsOf(server),
    provisioning: {
      state: sync.state === 'in_sync' ? 'active' : sync.state,
      error: sync.state === 'error' ? sync.last_error : null,
    },
  };
}
