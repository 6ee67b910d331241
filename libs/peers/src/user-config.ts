import type { NodeEntity, ServerEntity } from '@wgfleet/servers';
import { renderClientConfig } from '@wgfleet/wireguard';
import { endpointOf, OFFLINE, toUserDto, type PeerLiveStatus, type UserDto, type UserKeysDto } from './peers.dto.js';
import type { UserSecrets } from './peers.service.js';
import type { UserEntity } from './user.entity.js';

export type UserWithConfigDto = UserDto & { config: string; keys: UserKeysDto };

/** The client's wg-quick file: its addresses and keys, the server as its one peer. */
export function clientConfigOf(user: UserEntity, server: ServerEntity, node: NodeEntity, secrets: UserSecrets): string {
  return renderClientConfig({
    privateKey: secrets.privateKey,
    addresses: [`${user.ipv4}/32`, ...(user.ipv6 === null ? [] : [`${user.ipv6}/128`])],
    dns: user.dns ?? server.dns,
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
  live: PeerLiveStatus = OFFLINE,
): UserWithConfigDto {
  return {
    ...toUserDto(user, live),
    config: clientConfigOf(user, server, node, secrets),
    keys: {
      client_private_key: secrets.privateKey,
      client_public_key: user.publicKey,
      preshared_key: secrets.presharedKey,
      server_public_key: server.publicKey,
    },
  };
}
