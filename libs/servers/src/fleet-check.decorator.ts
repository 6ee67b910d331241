import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * A class-validator decorator from a pure check that returns what is wrong (or null). The
 * message names the property and never echoes the value, which may be a secret.
 */
export function FleetCheck(name: string, check: (value: unknown) => string | null, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name,
      validator: {
        validate: (value: unknown) => check(value) === null,
        defaultMessage: (args) => `${args?.property ?? 'value'} ${check(args?.value) ?? 'is invalid'}`,
      },
    },
    options,
  );
}
