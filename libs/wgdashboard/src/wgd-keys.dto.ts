import { OptionalExpiry } from '@wgfleet/core';
import type { WgdApiKeyEntity } from './wgd-api-key.entity.js';

export class CreateWgdKeyDto {
  /** ISO 8601; must lie in the future. Omit for a key that does not expire. */
  @OptionalExpiry()
  expires_at?: Date;
}

export interface WgdKeyDto {
  id: number;
  node_id: number;
  /** Only in the answer that creates it. */
  key?: string;
  hint: string;
  created_at: string;
  expires_at: string | null;
}

export function toWgdKeyDto(record: WgdApiKeyEntity, key?: string): WgdKeyDto {
  return {
    id: record.id,
    node_id: record.nodeId,
    ...(key === undefined ? {} : { key }),
    hint: record.hint,
    created_at: record.createdAt.toISOString(),
    expires_at: record.expiresAt ? record.expiresAt.toISOString() : null,
  };
}
