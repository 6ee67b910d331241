import { clientDnsOf, type NodeEntity, type ServerEntity } from '@wgfleet/servers';
import { AppError } from '@wgfleet/core';
import { renderClientConfig, WireguardInputError } from '@wgfleet/wireguard';
import { endpointOf, toUserDto, type UserDto, type UserKeysDto, type UserObservation } from './peers.dto.js';
import type { UserSecrets } from './peers.service.js';
import type { UserEntity } from './user.entity.js';

export type UserWithConfigDto = UserDto & { config: string; keys: UserKeysDto };

/**
 * The client's wg-quick file: its addresses and keys, the server as its one peer. A stored value the
 * renderer refuses (one written before it was checked, e.g. a DNS entry with a line break set through
 * the WGDashboard API) is a 409 saying so: the file is never served, and never a 500.
 */
export function clientConfigOf(user: UserEntity, server: ServerEntity, node: NodeEntity, secrets: UserSecrets): string {
  try {
    return renderConfig(user, server, node, secrets);
  } catch (error) {
    if (!(error instanceof WireguardInputError)) throw error;
    throw new AppError(
      'conflict',
      `user ${user.id}'s config cannot be written: ${error.message} (a value stored before it was checked); its server's operator can correct it (WGDashboard API updatePeerSettings), or delete and re-create the user`,
    );
  }
}

function renderConfig(user: UserEntity, server: ServerEntity, node: NodeEntity, secrets: UserSecrets): string {
  return renderClientConfig({
    privateKey: secrets.privateKey,
    addresses: [`${user.ipv4}/32`, ...(user.ipv6 === null ? [] : [`${user.ipv6}/128`])],
    dns: clientDnsOf(server, user.dns),
    mtu: server.mtu,
    peer: {
      publicKey: server.publicKey,
      presharedKey: secrets.presharedKey,
      endpoint: endpointOf({ server, node }),
      allowedIps: user.allowedIps,
      persistentKeepalive: user.persistentKeepalive,
    },
  });
}

/** `User & {config, keys}` of the contract: the answer to a create and to GET /users/{id}. */
export function toUserWithConfigDto(
  user: UserEntity,
  server: ServerEntity,
  node: NodeEntity,
  secrets: UserSecrets,
  observation: UserObservation,
): UserWithConfigDto {
  return {
    ...toUserDto(user, observation),
    config: clientConfigOf(user, server, node, secrets),
    keys: {
      client_private_key: secrets.privateKey,
      client_public_key: user.publicKey,
      preshared_key: secrets.presharedKey,
      server_public_key: server.publicKey,
    },
  };
}
