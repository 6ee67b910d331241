import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IdFilter, IsOptionalNotNull, PageQueryDto } from '@wgfleet/core';
import { formatEndpoint, isShapingDeviceName, isValidInterfaceName, MTU_RANGE } from '@wgfleet/wireguard';
import { canonicalHost, canonicalIp, checkSubnet, parsePortRange } from './fleet-validation.js';
import { FleetCheck } from './fleet-check.decorator.js';
import type { NodeEntity } from './node.entity.js';
import type { ServerEntity } from './server.entity.js';
import { syncStateOf, type SyncState } from './sync-state.js';

const LABEL = /^[\p{L}\p{N} _.@'()&,+#/-]{1,100}$/u;
const LABEL_MESSAGE = 'must be 1–100 letters, digits, spaces or _.@\'()&,+#/-';
const PORT_MESSAGE = 'must be an integer between 1 and 65535';
const MTU_MESSAGE = `must be an integer between ${MTU_RANGE.min} and ${MTU_RANGE.max}, or null for the default`;

const checkDnsList = (value: unknown): string | null =>
  Array.isArray(value) && value.every((ip) => canonicalIp(ip) !== null)
    ? null
    : 'must be a list of IP addresses such as ["1.1.1.1", "2606:4700:4700::1111"]';
const checkEndpointHost = (value: unknown): string | null =>
  canonicalHost(value) ? null : 'must be a DNS name such as vpn.example.com or an IP address';
const checkPortRange = (value: unknown): string | null =>
  parsePortRange(value) ? null : 'must be "<first>-<last>" with 1 ≤ first ≤ last ≤ 65535, such as "20000-29999"';

/** Optional settings shared by create and update. */
class ServerSettingsDto {
  /** DNS servers pushed to clients; at most 8. */
  @IsOptionalNotNull()
  @IsArray({ message: 'dns must be a list of IP addresses' })
  @ArrayMaxSize(8, { message: 'dns may hold at most 8 addresses' })
  @FleetCheck('dnsList', checkDnsList)
  dns?: string[];

  /** null: WireGuard's default. */
  @IsOptional()
  @IsInt({ message: `mtu ${MTU_MESSAGE}` })
  @Min(MTU_RANGE.min, { message: `mtu ${MTU_MESSAGE}` })
  @Max(MTU_RANGE.max, { message: `mtu ${MTU_MESSAGE}` })
  mtu?: number | null;

  /** Host clients dial; null: the node's public IPv4. */
  @IsOptional()
  @FleetCheck('endpointHost', checkEndpointHost)
  endpoint_host?: string | null;

  /** External ports customers may forward, `"<first>-<last>"`; default `"1-65535"`. */
  @IsOptionalNotNull()
  @FleetCheck('portForwardRange', checkPortRange)
  port_forward_range?: string;

  /** External ports nobody may forward on this server (besides the node's SSH and WireGuard ports). */
  @IsOptionalNotNull()
  @IsArray({ message: 'reserved_ports must be a list of port numbers' })
  @ArrayMaxSize(100, { message: 'reserved_ports may hold at most 100 ports' })
  @IsInt({ each: true, message: `reserved_ports each ${PORT_MESSAGE}` })
  @Min(1, { each: true, message: `reserved_ports each ${PORT_MESSAGE}` })
  @Max(65535, { each: true, message: `reserved_ports each ${PORT_MESSAGE}` })
  reserved_ports?: number[];
}

/** The settings an admin may change after creation (PATCH); the rest would need a new interface. */
export class UpdateServerDto extends ServerSettingsDto {
  @IsOptionalNotNull()
  @IsString({ message: 'name must be a string' })
  @Matches(LABEL, { message: `name ${LABEL_MESSAGE}` })
  name?: string;

  @IsOptionalNotNull()
  @IsString({ message: 'location must be a string' })
  @Matches(LABEL, { message: `location ${LABEL_MESSAGE}` })
  location?: string;
}

/**
 * The settings plus where the server sits on its node: listen port and subnets. Not on the admin
 * API's PATCH (the portal contract keeps those fixed); WGDashboard's configuration update changes
 * them. The service checks the node's other servers and that every user's address still fits.
 */
export class ServerPlacementDto extends UpdateServerDto {
  @IsOptionalNotNull()
  @IsInt({ message: `listen_port ${PORT_MESSAGE}` })
  @Min(1, { message: `listen_port ${PORT_MESSAGE}` })
  @Max(65535, { message: `listen_port ${PORT_MESSAGE}` })
  listen_port?: number;

  @IsOptionalNotNull()
  @FleetCheck('ipv4Subnet', (value) => checkSubnet(value, 4))
  ipv4_subnet?: string;

  /** null: the server drops its IPv6 subnet (refused while users hold IPv6 addresses). */
  @IsOptional()
  @FleetCheck('ipv6Subnet', (value) => checkSubnet(value, 6))
  ipv6_subnet?: string | null;
}

export class CreateServerDto extends ServerSettingsDto {
  @IsString({ message: 'name must be a string' })
  @Matches(LABEL, { message: `name ${LABEL_MESSAGE}` })
  name: string;

  @IsString({ message: 'location must be a string' })
  @Matches(LABEL, { message: `location ${LABEL_MESSAGE}` })
  location: string;

  /** The WireGuard interface on the node, e.g. `wg0`. */
  @FleetCheck('interfaceName', (value) =>
    !isValidInterfaceName(value)
      ? 'must be 1–15 of a-z A-Z 0-9 _ = . - (not starting with -), such as wg0'
      : isShapingDeviceName(value as string)
        ? 'must not start with "ifb-" or "ifb=": those names are reserved for the traffic shaping devices'
        : null,
  )
  interface: string;

  @IsInt({ message: `listen_port ${PORT_MESSAGE}` })
  @Min(1, { message: `listen_port ${PORT_MESSAGE}` })
  @Max(65535, { message: `listen_port ${PORT_MESSAGE}` })
  listen_port: number;

  @FleetCheck('ipv4Subnet', (value) => checkSubnet(value, 4))
  ipv4_subnet: string;

  @IsOptional()
  @FleetCheck('ipv6Subnet', (value) => checkSubnet(value, 6))
  ipv6_subnet?: string | null;
}

export class ListServersQueryDto extends PageQueryDto {
  @IdFilter('node_id')
  node_id?: number;
}

export interface ServerDto {
  id: number;
  node_id: number;
  name: string;
  location: string;
  interface: string;
  listen_port: number;
  public_key: string;
  ipv4_subnet: string;
  ipv6_subnet: string | null;
  dns: string[];
  mtu: number | null;
  endpoint: string;
  port_forward_range: string;
  reserved_ports: number[];
  sync: SyncState;
  created_at: string;
}

export function toServerDto(server: ServerEntity, node: Pick<NodeEntity, 'publicIpv4'>): ServerDto {
  return {
    id: server.id,
    node_id: server.nodeId,
    name: server.name,
    location: server.location,
    interface: server.interface,
    listen_port: server.listenPort,
    public_key: server.publicKey,
    ipv4_subnet: server.ipv4Subnet,
    ipv6_subnet: server.ipv6Subnet,
    dns: server.dns,
    mtu: server.mtu,
    endpoint: formatEndpoint({ host: server.endpointHost ?? node.publicIpv4, port: server.listenPort }),
    port_forward_range: `${server.forwardPortMin}-${server.forwardPortMax}`,
    reserved_ports: server.reservedPorts,
    sync: syncStateOf(server),
    created_at: server.createdAt.toISOString(),
  };
}
