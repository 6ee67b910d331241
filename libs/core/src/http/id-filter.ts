import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Min } from 'class-validator';

/** An optional `?<name>=` list filter holding an id: a positive integer, or 422 naming it. */
export function IdFilter(name: string): PropertyDecorator {
  const message = `${name} must be a positive integer`;
  return applyDecorators(IsOptional(), Type(() => Number), IsInt({ message }), Min(1, { message }));
}
