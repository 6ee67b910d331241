import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsId } from '../validation/is-id.decorator.js';
import { IsOptionalNotNull } from '../validation/optional-not-null.decorator.js';

/** An optional `?<name>=` list filter holding an id: a positive integer, or 422 naming it. */
export function IdFilter(name: string): PropertyDecorator {
  return applyDecorators(IsOptionalNotNull(), Type(() => Number), IsId(name));
}
