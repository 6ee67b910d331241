import { Injectable } from '@nestjs/common';
import type { AccountKind } from './account.entity.js';
import { TtlCache } from '@wgfleet/core';

export interface CachedKey {
  apiKeyId: number;
  accountId: number;
  kind: AccountKind;
  parentId: number | null;
  suspended: boolean;
  expiresAt: number | null;
}

/**
 * Key hash → what authentication needs, for a few seconds. The short TTL is what bounds how
 * long another replica keeps accepting a revoked key (≤ 5 s, the contract); this replica
 * forgets a key the moment it is revoked.
 */
export const AUTH_CACHE_TTL_MS = 4_000;

@Injectable()
export class AuthCache {
  private readonly cache = new TtlCache<CachedKey>(AUTH_CACHE_TTL_MS, 100_000);

  get(hash: string): CachedKey | undefined {
    return this.cache.get(hash);
  }

  set(hash: string, key: CachedKey): void {
    this.cache.set(hash, key);
  }

  forgetKey(apiKeyId: number): void {
    this.cache.deleteWhere((entry) => entry.apiKeyId === apiKeyId);
  }

  forgetAccount(accountId: number): void {
    this.cache.deleteWhere((entry) => entry.accountId === accountId || entry.parentId === accountId);
  }
}
