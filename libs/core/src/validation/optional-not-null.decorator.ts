import { applyDecorators } from '@nestjs/common';
import { IsDefined, ValidateIf } from 'class-validator';

/**
 * An optional field that may be left out but not sent as `null`: class-validator's IsOptional()
 * skips null too, which let `"public_key": null` reach a NOT NULL column (a 500). Absent skips the
 * field's other rules; null is a 422 naming the field. For a field where null means something
 * (`max_users: null` = unlimited, `mtu: null` = the default), use IsOptional() and say so.
 */
export function IsOptionalNotNull(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((_object: object, value: unknown) => value !== undefined),
    // IsDefined runs before a field's other rules, so null is named as such, whatever they say.
    IsDefined({ message: (args) => `${args.property} must not be null; leave it out to get the default` }),
  );
}
