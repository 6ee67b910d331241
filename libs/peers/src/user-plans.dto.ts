import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, ValidateBy, ValidateNested, type ValidationArguments } from 'class-validator';
import { AppError, IsOptionalNotNull } from '@wgfleet/core';
import { dataLimitOf } from './plans/data-limit.js';
import type { Usage } from './plans/plan-usage.js';
import { parseRfc3339 } from './rfc3339.js';
import type { AccessReason, AccessState, DataLimitAction, DataLimitPeriod, UserEntity } from './user.entity.js';

/**
 * A user's plan in the customer API: its bandwidth, whether it is enabled, its end date and its
 * data limit. Every rule about what a client may send lives here, shared by the create, the PATCH
 * and the bandwidth routes; the schema's checks (migration AddServicePlans) back the same ranges.
 */

export const MIN_MBPS = 0.1;
export const MAX_MBPS = 10_000;
export const MIN_DATA_LIMIT_BYTES = 1_000_000;
export const MAX_RESET_DAY = 28;
export const DATA_LIMIT_PERIODS: readonly DataLimitPeriod[] = ['total', 'monthly'];
export const DATA_LIMIT_ACTIONS: readonly DataLimitAction[] = ['block', 'throttle'];
export const BANDWIDTH_FIELDS = ['download_mbps', 'upload_mbps'] as const;
export const UPDATE_USER_FIELDS = ['enabled', 'expires_at', 'data_limit'] as const;

const MBPS_RULE = `a number of Mbit/s from ${MIN_MBPS} to ${MAX_MBPS} with at most three decimals`;

/**
 * A rate as numeric(8,3) holds it: a JSON number (never "8" or true) from 0.1 to 10000, with at
 * most three decimals, read from the number's shortest form (8.125 has three, 8.1255 four).
 */
export function isMbps(value: unknown): value is number {
  return typeof value === 'number' && value >= MIN_MBPS && value <= MAX_MBPS && /^\d+(\.\d{1,3})?$/.test(String(value));
}

const IsMbps = (message: string) => ValidateBy({ name: 'isMbps', validator: { validate: isMbps, defaultMessage: () => message } });

/** An RFC 3339 date-time with an offset; past dates are taken (the user is then blocked as expired). */
const IsRfc3339 = (message: string) =>
  ValidateBy({ name: 'isRfc3339', validator: { validate: (value) => typeof value === 'string' && parseRfc3339(value) !== null, defaultMessage: () => message } });

/** An object holding at least one of `fields` (an empty one changes nothing, which is never what was meant). */
const HasSomeOf = (fields: readonly string[], message: string) =>
  ValidateBy({
    name: 'hasSomeOf',
    validator: {
      validate: (value) => typeof value === 'object' && value !== null && fields.some((field) => (value as Record<string, unknown>)[field] !== undefined),
      defaultMessage: () => message,
    },
  });

/**
 * A field that only one choice of another field takes: required with it (and then valid), absent
 * or null otherwise. `reset_day` goes with a monthly period, `throttle_mbps` with the throttle action.
 */
function OnlyWith(
  field: string,
  other: { field: string; value: string; values: readonly string[] },
  isValid: (value: unknown) => boolean,
  rule: string,
): PropertyDecorator {
  return ValidateBy({
    name: `onlyWith_${other.field}`,
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        const chosen = (args?.object as Record<string, unknown>)[other.field];
        // A wrong or missing choice is that field's own error; nothing to say about this one yet.
        if (!other.values.includes(chosen as string)) return true;
        return chosen === other.value ? isValid(value) : value === undefined || value === null;
      },
      defaultMessage: (args?: ValidationArguments) =>
        (args?.object as Record<string, unknown>)[other.field] === other.value
          ? `data_limit.${field} must be ${rule} when data_limit.${other.field} is "${other.value}"`
          : `data_limit.${field} applies only when data_limit.${other.field} is "${other.value}"; leave it out (or null)`,
    },
  });
}

/** `bandwidth` of a create, and the body of PUT /users/{id}/bandwidth: omitted leaves a direction as it is, null lifts its limit. */
export class SetBandwidthDto {
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: MIN_MBPS,
    maximum: MAX_MBPS,
    example: 8,
    description: 'node → client, Mbit/s with at most three decimals; null: unlimited; omitted: unchanged',
  })
  @IsOptional()
  @IsMbps(`download_mbps must be ${MBPS_RULE}, or null for unlimited`)
  download_mbps?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: MIN_MBPS,
    maximum: MAX_MBPS,
    example: 4,
    description: 'client → node, Mbit/s with at most three decimals; null: unlimited; omitted: unchanged',
  })
  @IsOptional()
  @IsMbps(`upload_mbps must be ${MBPS_RULE}, or null for unlimited`)
  upload_mbps?: number | null;
}

/** A data limit, whole: the API never merges one field into a stored limit. */
export class SetDataLimitDto {
  @ApiProperty({ minimum: MIN_DATA_LIMIT_BYTES, example: 50_000_000_000, description: 'rx + tx allowed in a period, in bytes' })
  @ValidateBy({
    name: 'isDataLimitBytes',
    validator: {
      validate: (value) => typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_DATA_LIMIT_BYTES,
      defaultMessage: () => `data_limit.bytes must be a whole number of bytes from ${MIN_DATA_LIMIT_BYTES} to ${Number.MAX_SAFE_INTEGER}`,
    },
  })
  bytes: number;

  @ApiProperty({ enum: DATA_LIMIT_PERIODS, description: '"total": one allowance, never reset; "monthly": starts again each month on reset_day (UTC)' })
  @IsIn(DATA_LIMIT_PERIODS as DataLimitPeriod[], { message: 'data_limit.period must be "total" or "monthly"' })
  period: DataLimitPeriod;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 1, maximum: MAX_RESET_DAY, description: 'monthly only (required there): the day of the month a period starts, UTC' })
  @OnlyWith(
    'reset_day',
    { field: 'period', value: 'monthly', values: DATA_LIMIT_PERIODS },
    (value) => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_RESET_DAY,
    `a whole day of the month from 1 to ${MAX_RESET_DAY}`,
  )
  reset_day?: number | null;

  @ApiProperty({ enum: DATA_LIMIT_ACTIONS, description: '"block": the peer leaves the node; "throttle": it stays at throttle_mbps both ways' })
  @IsIn(DATA_LIMIT_ACTIONS as DataLimitAction[], { message: 'data_limit.action must be "block" or "throttle"' })
  action: DataLimitAction;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: MIN_MBPS, maximum: MAX_MBPS, description: 'throttle only (required there): Mbit/s both ways once the limit is reached' })
  @OnlyWith('throttle_mbps', { field: 'action', value: 'throttle', values: DATA_LIMIT_ACTIONS }, isMbps, MBPS_RULE)
  throttle_mbps?: number | null;
}

/** What PATCH /users/{id} changes, and what a create may set from the start. */
export class UserPlanFieldsDto {
  @ApiPropertyOptional({ description: 'false blocks the user (its peer leaves the node; row, keys and address stay)' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'enabled must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2027-01-31T23:59:59Z',
    description: 'RFC 3339 with an offset or Z: from then on the user is blocked; null: no end date',
  })
  @IsOptional()
  @IsRfc3339('expires_at must be an RFC 3339 date-time with an offset or Z, such as 2027-01-31T23:59:59Z (years 1970–9999), or null for no end date')
  expires_at?: string | null;

  @ApiPropertyOptional({ type: () => SetDataLimitDto, nullable: true, description: 'null removes the limit' })
  @IsOptional()
  @IsObject({ message: 'data_limit must be an object {bytes, period, reset_day, action, throttle_mbps}, or null for no limit' })
  @ValidateNested()
  @Type(() => SetDataLimitDto)
  data_limit?: SetDataLimitDto | null;
}

export class UpdateUserDto extends UserPlanFieldsDto {}

/** The `bandwidth` property of a create, checked like the body of PUT /users/{id}/bandwidth. */
export function BandwidthProperty(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: () => SetBandwidthDto, description: "the user's speed limits; omitted: unlimited" }),
    IsOptionalNotNull(),
    IsObject({ message: 'bandwidth must be an object {download_mbps, upload_mbps}; leave it out for unlimited' }),
    HasSomeOf(BANDWIDTH_FIELDS, 'bandwidth must hold download_mbps, upload_mbps or both; leave it out for unlimited'),
    ValidateNested(),
    Type(() => SetBandwidthDto),
  );
}

/**
 * A body whose every field is optional must still say something: `{}` is a 422 naming the fields
 * it may hold. Called by the route before any transaction.
 */
export function refuseEmptyBody(body: object, fields: readonly string[]): void {
  if (fields.some((field) => (body as Record<string, unknown>)[field] !== undefined)) return;
  const send = `send at least one of ${fields.join(', ')}`;
  throw new AppError(
    'validation_failed',
    `invalid input — the body changes nothing; ${send}`,
    fields.map((field) => ({ field, message: `is missing: ${send}` })),
  );
}

/** The columns a plan input sets; fields left out are left out here too (unchanged). */
export function planColumnsOf(input: UserPlanFieldsDto & { bandwidth?: SetBandwidthDto }): Partial<UserEntity> {
  const columns: Partial<UserEntity> = { ...bandwidthColumnsOf(input.bandwidth ?? {}) };
  if (input.enabled !== undefined) columns.enabled = input.enabled;
  if (input.expires_at !== undefined) columns.expiresAt = input.expires_at === null ? null : parseRfc3339(input.expires_at);
  if (input.data_limit !== undefined) Object.assign(columns, dataLimitColumnsOf(input.data_limit));
  return columns;
}

export function bandwidthColumnsOf(input: SetBandwidthDto): Partial<UserEntity> {
  const columns: Partial<UserEntity> = {};
  if (input.download_mbps !== undefined) columns.downloadMbps = input.download_mbps;
  if (input.upload_mbps !== undefined) columns.uploadMbps = input.upload_mbps;
  return columns;
}

/** All five columns at once, as the schema's check wants them (the inapplicable ones null). */
function dataLimitColumnsOf(limit: SetDataLimitDto | null): Partial<UserEntity> {
  return {
    dataLimitBytes: limit?.bytes ?? null,
    dataLimitPeriod: limit?.period ?? null,
    dataLimitResetDay: limit?.period === 'monthly' ? limit.reset_day! : null,
    dataLimitAction: limit?.action ?? null,
    dataLimitThrottleMbps: limit?.action === 'throttle' ? limit.throttle_mbps! : null,
  };
}

/** Both directions' limits in Mbit/s; null: unlimited. */
export interface BandwidthLimitsDto {
  download_mbps: number | null;
  upload_mbps: number | null;
}

/** The answer of the bandwidth routes. */
export interface BandwidthDto extends BandwidthLimitsDto {
  user_id: number;
  provisioning: { state: string; error: string | null };
}

export interface DataLimitDto {
  bytes: number;
  period: DataLimitPeriod;
  reset_day: number | null;
  action: DataLimitAction;
  throttle_mbps: number | null;
}

export interface UsageDto {
  period_start: string;
  rx_bytes: number;
  tx_bytes: number;
  total_bytes: number;
}

/** The plan fields of every user object. */
export interface UserPlanDto {
  enabled: boolean;
  expires_at: string | null;
  bandwidth: BandwidthLimitsDto;
  data_limit: DataLimitDto | null;
  usage: UsageDto;
  access: { state: AccessState; reason: AccessReason | null };
}

export function toBandwidthDto(user: UserEntity): BandwidthDto {
  return { user_id: user.id, ...bandwidthLimitsOf(user), provisioning: { state: user.state, error: user.stateError } };
}

/** `access` is what the enforcer last decided (the materialized columns), so it matches what the node holds. */
export function toUserPlanDto(user: UserEntity, usage: Usage): UserPlanDto {
  const limit = dataLimitOf(user);
  return {
    enabled: user.enabled,
    expires_at: user.expiresAt === null ? null : user.expiresAt.toISOString(),
    bandwidth: bandwidthLimitsOf(user),
    data_limit:
      limit === null
        ? null
        : { bytes: limit.bytes, period: limit.period, reset_day: limit.resetDay, action: limit.action, throttle_mbps: limit.throttleMbps },
    usage: {
      period_start: usage.periodStart.toISOString(),
      rx_bytes: usage.rxBytes,
      tx_bytes: usage.txBytes,
      total_bytes: usage.totalBytes,
    },
    access: { state: user.accessState, reason: user.accessReason },
  };
}

function bandwidthLimitsOf(user: UserEntity): BandwidthLimitsDto {
  return { download_mbps: user.downloadMbps, upload_mbps: user.uploadMbps };
}
