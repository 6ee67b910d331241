import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOptionalNotNull } from '@wgfleet/core';
import { canonicalHost, canonicalIp, checkPrivateKey, parseHostKeyLine } from './fleet-validation.js';
import { FleetCheck } from './fleet-check.decorator.js';
import type { NodeEntity, NodeTransport } from './node.entity.js';

export const NODE_NAME = /^[A-Za-z0-9_.-]{1,63}$/;
const SSH_USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;

export class NodeSshDto {
  @FleetCheck('sshHost', (value) => (canonicalHost(value) ? null : 'must be a DNS name or an IP address'))
  host: string;

  /** Defaults to 22. */
  @IsOptionalNotNull()
  @IsInt({ message: 'port must be an integer between 1 and 65535' })
  @Min(1, { message: 'port must be an integer between 1 and 65535' })
  @Max(65535, { message: 'port must be an integer between 1 and 65535' })
  port?: number;

  @IsString({ message: 'username must be a string' })
  @Matches(SSH_USERNAME, { message: 'username must be a Unix user name: a lowercase letter or _, then up to 31 of a-z 0-9 _ -' })
  username: string;

  /** The text of an unencrypted OpenSSH or PEM private key file. Stored encrypted, never returned. */
  @IsString({ message: 'private_key must be the text of a private key file' })
  @MaxLength(16384, { message: 'private_key must be at most 16384 characters' })
  @FleetCheck('sshPrivateKey', checkPrivateKey)
  private_key: string;

  /** The node's public host key line, pinned: `ssh-ed25519 AAAA…`. */
  @FleetCheck('sshHostKey', (value) => {
    const parsed = parseHostKeyLine(value);
    return 'error' in parsed ? parsed.error : null;
  })
  host_key: string;
}

export class CreateNodeDto {
  @IsString({ message: 'name must be a string' })
  @Matches(NODE_NAME, { message: 'name must be 1–63 letters, digits or _.-' })
  name: string;

  @IsIn(['ssh', 'local'], { message: 'transport must be "ssh" or "local"' })
  transport: NodeTransport;

  @FleetCheck('publicIpv4', (value) => (canonicalIp(value, 4) ? null : 'must be an IPv4 address in dotted-quad form such as 198.51.100.7'))
  public_ipv4: string;

  /** null or absent: no IPv6 address. */
  @IsOptional()
  @FleetCheck('publicIpv6', (value) => (canonicalIp(value, 6) ? null : 'must be an IPv6 address such as 2001:db8::7'))
  public_ipv6?: string | null;

  /** Required when transport is ssh; absent (or null) when it is local. */
  @IsOptional()
  @IsObject({ message: 'ssh must be an object {host, port, username, private_key, host_key}' })
  @ValidateNested()
  @Type(() => NodeSshDto)
  ssh?: NodeSshDto | null;
}

export interface NodeDto {
  id: number;
  name: string;
  transport: NodeTransport;
  public_ipv4: string;
  public_ipv6: string | null;
  ssh: { host: string; port: number; username: string; host_key: string } | null;
  health: { reachable: boolean | null; last_error: string | null; last_contact_at: string | null };
  servers_count: number;
  created_at: string;
}

export function toNodeDto(node: NodeEntity, serversCount: number): NodeDto {
  return {
    id: node.id,
    name: node.name,
    transport: node.transport,
    public_ipv4: node.publicIpv4,
    public_ipv6: node.publicIpv6,
    ssh:
      node.transport === 'ssh'
        ? { host: node.sshHost ?? '', port: node.sshPort ?? 22, username: node.sshUsername ?? '', host_key: node.sshHostKey ?? '' }
        : null,
    health: {
      reachable: node.reachable,
      last_error: node.lastError,
      last_contact_at: node.lastContactAt ? node.lastContactAt.toISOString() : null,
    },
    servers_count: serversCount,
    created_at: node.createdAt.toISOString(),
  };
}
