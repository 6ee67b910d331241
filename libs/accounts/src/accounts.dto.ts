import { IsIn, IsString, Matches } from 'class-validator';
import { IdFilter, IsId, IsOptionalNotNull, OptionalExpiry, PageQueryDto } from '@wgfleet/core';
import type { AccountEntity } from './account.entity.js';
import type { ApiKeyEntity } from './api-key.entity.js';

const NAME = /^[\p{L}\p{N} _.@'()&,+-]{1,100}$/u;
const NAME_MESSAGE = 'must be 1–100 letters, digits, spaces or _.@\'()&,+-';

export class CreateApiKeyDto {
  @IsString()
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  /** ISO 8601; must lie in the future. Omit (or null) for a key that does not expire. */
  @OptionalExpiry()
  expires_at?: Date;
}

export class CreateAccountDto {
  @IsString()
  @Matches(NAME, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @IsIn(['reseller', 'customer'], { message: 'kind must be "reseller" or "customer"' })
  kind: 'reseller' | 'customer';

  @IsOptionalNotNull()
  @IsId('parent_id')
  parent_id?: number;
}

export class ListAccountsQueryDto extends PageQueryDto {
  @IsOptionalNotNull()
  @IsIn(['admin', 'reseller', 'customer'], { message: 'kind must be admin, reseller or customer' })
  kind?: 'admin' | 'reseller' | 'customer';

  @IdFilter('parent_id')
  parent_id?: number;
}

export interface ApiKeyDto {
  id: number;
  name: string;
  prefix: string;
  last4: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  revoked_at: string | null;
}

export interface AccountDto {
  id: number;
  name: string;
  kind: string;
  parent_id: number | null;
  suspended: boolean;
  suspended_at: string | null;
  created_at: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toApiKeyDto(key: ApiKeyEntity): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    last4: key.last4,
    created_at: key.createdAt.toISOString(),
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
    last_used_ip: key.lastUsedIp,
    revoked_at: iso(key.revokedAt),
  };
}

export function toAccountDto(account: AccountEntity): AccountDto {
  return {
    id: account.id,
    name: account.name,
    kind: account.kind,
    parent_id: account.parentId,
    suspended: account.suspendedAt !== null,
    suspended_at: iso(account.suspendedAt),
    created_at: account.createdAt.toISOString(),
  };
}
