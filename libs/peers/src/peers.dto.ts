import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { IsOptionalNotNull, PageQueryDto } from '@wgfleet/core';
import { clientDnsOf, syncStateOf, type AssignmentContext, type SyncState } from '@wgfleet/servers';
import { formatEndpoint, isValidCidr, isValidIp, isValidKey } from '@wgfleet/wireguard';
import { formatBytes } from './format-bytes.js';
import type { Usage } from './plans/plan-usage.js';
import { BandwidthProperty, toUserPlanDto, UserPlanFieldsDto, type SetBandwidthDto, type UserPlanDto } from './user-plans.dto.js';
import type { UserEntity } from './user.entity.js';

export const CLIENT_NAME = /^[A-Za-z0-9_-]{1,50}$/;
export const DEFAULT_ALLOWED_IPS = ['0.0.0.0/0', '::/0'];
export const DEFAULT_KEEPALIVE = 25;

const IsWgKey = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isWgKey', validator: { validate: (value) => isValidKey(value) } }, options);
const IsIpAddress = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isIpAddress', validator: { validate: (value) => isValidIp(value) } }, options);
const IsCidrNetwork = (options?: ValidationOptions) =>
  ValidateBy({ name: 'isCidrNetwork', validator: { validate: (value) => isValidCidr(value) } }, options);

/** `"0.0.0.0/0, ::/0"` (as the contract writes the default) is taken as well as an array. */
const splitCommaList = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;

/** A new user; its plan (bandwidth, enabled, expires_at, data_limit) follows the rules of the plan routes. */
export class CreateUserDto extends UserPlanFieldsDto {
  @ApiProperty({ pattern: CLIENT_NAME.source, example: 'web-server', description: 'unique per server, case-insensitive' })
  @IsString({ message: 'client_name must be a string' })
  @Matches(CLIENT_NAME, { message: 'client_name must be 1–50 letters, digits, "_" or "-"' })
  client_name: string;

  /** Bring your own key: no private key is kept or returned, and the config has a placeholder. */
  @ApiPropertyOptional({ description: 'bring your own key: no private key is kept or returned, and the config has a placeholder' })
  @IsOptionalNotNull()
  @IsWgKey({ message: 'public_key must be a WireGuard public key: 32 bytes in base64 (44 characters ending in "=")' })
  public_key?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'preshared_key must be true or false' })
  preshared_key?: boolean;

  @ApiPropertyOptional({ type: [String], maxItems: 8, description: "the client's DNS; the server's when omitted" })
  @IsOptionalNotNull()
  @IsArray({ message: 'dns must be an array of IP addresses' })
  @ArrayMaxSize(8, { message: 'dns may hold at most 8 addresses' })
  @IsIpAddress({ each: true, message: 'dns entries must be IPv4 or IPv6 addresses such as 1.1.1.1' })
  dns?: string[];

  @ApiPropertyOptional({ type: [String], default: DEFAULT_ALLOWED_IPS, description: "the client's routes (an array, or a comma-separated list)" })
  @IsOptionalNotNull()
  @Transform(splitCommaList)
  @IsArray({ message: 'allowed_ips must be an array of networks such as "0.0.0.0/0"' })
  @ArrayMinSize(1, { message: 'allowed_ips must hold at least one network' })
  @ArrayMaxSize(64, { message: 'allowed_ips may hold at most 64 networks' })
  @IsCidrNetwork({ each: true, message: 'allowed_ips entries must be networks without host bits, such as 10.0.0.0/8 or ::/0' })
  allowed_ips?: string[];

  @ApiPropertyOptional({ minimum: 0, maximum: 65535, default: DEFAULT_KEEPALIVE, description: 'seconds; 0 turns it off' })
  @IsOptionalNotNull()
  @IsInt({ message: 'persistent_keepalive must be an integer from 0 to 65535 (seconds; 0 turns it off)' })
  @Min(0, { message: 'persistent_keepalive must be an integer from 0 to 65535 (seconds; 0 turns it off)' })
  @Max(65535, { message: 'persistent_keepalive must be an integer from 0 to 65535 (seconds; 0 turns it off)' })
  persistent_keepalive?: number;

  @BandwidthProperty()
  bandwidth?: SetBandwidthDto;
}

export class ListUsersQueryDto extends PageQueryDto {
  @IsOptionalNotNull()
  @IsString()
  @Matches(CLIENT_NAME, { message: 'name must be a client_name: 1–50 letters, digits, "_" or "-"' })
  name?: string;

  @IsOptionalNotNull()
  @IsWgKey({ message: 'public_key must be a WireGuard public key: 32 bytes in base64 (44 characters ending in "=")' })
  public_key?: string;

  @IsOptionalNotNull()
  @IsIpAddress({ message: 'ip must be an IPv4 or IPv6 address such as 10.8.0.2' })
  ip?: string;

  @IsOptionalNotNull()
  @IsIn(['true', 'false'], { message: 'online must be true or false' })
  online?: 'true' | 'false';
}

/** What the poller saw of a peer (observed state, never stored in wg_user). */
export interface PeerLiveStatus {
  online: boolean;
  lastSeen: Date | null;
  endpoint: string | null;
  rxBytes: number;
  txBytes: number;
}

export const OFFLINE: PeerLiveStatus = { online: false, lastSeen: null, endpoint: null, rxBytes: 0, txBytes: 0 };

export interface LiveFieldsDto {
  online: boolean;
  last_seen: string | null;
  endpoint: string | null;
  rx_bytes: number;
  /** rx_bytes in binary units ("1.21 GiB"). */
  rx_formatted: string;
  tx_bytes: number;
  tx_formatted: string;
}

/** What a user object shows beyond its row: the latest poll, and the traffic of its current period. */
export interface UserObservation {
  live: PeerLiveStatus;
  usage: Usage;
}

export interface UserDto extends LiveFieldsDto, UserPlanDto {
  id: number;
  /** Null for an operator's peer (WGDashboard), which only the admin's view of a server shows. */
  assignment_id: number | null;
  client_name: string;
  client_ip: string;
  client_ipv6: string | null;
  public_key: string;
  created_at: string;
  provisioning: { state: string; error: string | null };
}

export interface UserKeysDto {
  client_private_key: string | null;
  client_public_key: string;
  preshared_key: string | null;
  server_public_key: string;
}

export interface AssignmentDto {
  assignment_id: number;
  name: string;
  location: string;
  endpoint: string;
  server_public_key: string;
  ipv4_subnet: string;
  ipv6_subnet: string | null;
  dns: string[];
  mtu: number | null;
  port_forward_range: string;
  max_users: number | null;
  users_count: number;
  max_port_forwards: number | null;
  sync: SyncState;
}

/** The one place live fields are written, so the poller's data reaches every response the same way. */
export function toLiveFieldsDto(live: PeerLiveStatus): LiveFieldsDto {
  return {
    online: live.online,
    last_seen: live.lastSeen ? live.lastSeen.toISOString() : null,
    endpoint: live.endpoint,
    rx_bytes: live.rxBytes,
    rx_formatted: formatBytes(live.rxBytes),
    tx_bytes: live.txBytes,
    tx_formatted: formatBytes(live.txBytes),
  };
}

export function toUserDto(user: UserEntity, { live, usage }: UserObservation): UserDto {
  return {
    id: user.id,
    assignment_id: user.assignmentId,
    client_name: user.clientName,
    client_ip: user.ipv4,
    client_ipv6: user.ipv6,
    public_key: user.publicKey,
    created_at: user.createdAt.toISOString(),
    provisioning: { state: user.state, error: user.stateError },
    ...toUserPlanDto(user, usage),
    ...toLiveFieldsDto(live),
  };
}

/** Where clients dial: the server's endpoint host, or the node's public IPv4. */
export function endpointOf({ server, node }: Pick<AssignmentContext, 'server' | 'node'>): string {
  return formatEndpoint({ host: server.endpointHost ?? node.publicIpv4, port: server.listenPort });
}

export function toAssignmentDto(context: AssignmentContext, usersCount: number): AssignmentDto {
  const { assignment, server } = context;
  return {
    assignment_id: assignment.id,
    name: server.name,
    location: server.location,
    endpoint: endpointOf(context),
    server_public_key: server.publicKey,
    ipv4_subnet: server.ipv4Subnet,
    ipv6_subnet: server.ipv6Subnet,
    dns: clientDnsOf(server),
    mtu: server.mtu,
    port_forward_range: `${server.forwardPortMin}-${server.forwardPortMax}`,
    max_users: assignment.maxUsers,
    users_count: usersCount,
    max_port_forwards: assignment.maxPortForwards,
    sync: syncStateOf(server),
  };
}
