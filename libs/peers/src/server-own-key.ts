import { AppError } from '@wgfleet/core';
import type { ServerEntity } from '@wgfleet/servers';

/**
 * A peer may not have its server's own public key: WireGuard ignores a peer whose key is the
 * interface's own, so the user would show `active` and never connect. The one rule for every write
 * of a peer's key: the portal's create, and the operator's peers (WGDashboard's addPeers, backup
 * restore), which all insert through this module.
 */
export function refuseServerOwnKey(server: Pick<ServerEntity, 'name' | 'publicKey'>, publicKey: string): void {
  if (publicKey !== server.publicKey) return;
  throw new AppError(
    'conflict',
    `this public key is server ${server.name}'s own public key; WireGuard ignores a peer with its interface's own key, so this user could never connect: generate a new key pair for the client`,
    [{ field: 'public_key', message: "is the server's own public key" }],
  );
}
