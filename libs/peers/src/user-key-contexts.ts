import type { UserEntity } from './user.entity.js';

/** SecretBox contexts of a user's keys: a sealed key opens only as the key of that user on that server. */
export const privateKeyContext = (user: Pick<UserEntity, 'serverId' | 'publicKey'>) => `wg_user.private_key:${user.serverId}:${user.publicKey}`;
export const presharedKeyContext = (user: Pick<UserEntity, 'serverId' | 'publicKey'>) => `wg_user.preshared_key:${user.serverId}:${user.publicKey}`;
