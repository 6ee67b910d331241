import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { IsOptionalNotNull } from '../validation/optional-not-null.decorator.js';

/** An optional `?<name>=` list filter holding an id: a positive integer, or 422 naming it. */
export function IdFilter(name: string): PropertyDecorator {
  const message = `${name} must be a positive integer`;
  return applyDecorators(IsOptionalNotNull(), Type(() => Number), IsInt({ message }), Min(1, { message }));
}
