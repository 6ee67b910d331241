import { formatLocalDateTime } from './python-time.js';
import type { WgdApiKeyEntity } from './wgd-api-key.entity.js';

/**
 * A key as upstream lists it (notes §1.8.7): `{CreatedAt, ExpiredAt, Key}` in local time. Only a
 * hash is stored here, so `Key` is masked to its last characters, except for the one key the
 * listing's own request created (a documented deviation).
 */
export function toWgdApiKey(record: WgdApiKeyEntity, fullKey?: string): Record<string, unknown> {
  return {
    CreatedAt: formatLocalDateTime(record.createdAt),
    ExpiredAt: record.expiresAt ? formatLocalDateTime(record.expiresAt) : null,
    Key: fullKey ?? `${MASK}${record.hint}`,
  };
}

/** What stands for the unknown part of a stored key: 39 of the 43 characters, so the length is a key's. */
export const MASK = '*'.repeat(39);
