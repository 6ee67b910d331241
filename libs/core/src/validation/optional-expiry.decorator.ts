import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate, IsOptional, MinDate } from 'class-validator';

/**
 * An optional `expires_at`: an ISO 8601 date-time in the future, turned into a Date. For the keys
 * of both APIs; omitted means the key does not expire.
 */
export function OptionalExpiry(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(({ value }) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value) : value)),
    IsDate({ message: 'expires_at must be an ISO 8601 date-time' }),
    MinDate(() => new Date(), { message: 'expires_at must be in the future' }),
  );
}
