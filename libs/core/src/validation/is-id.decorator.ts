import { ValidateBy } from 'class-validator';

/**
 * An id in a body or a query: a positive safe integer. IsInt alone takes 2^64 and 1e300 (they are
 * integers to JavaScript), which PostgreSQL's bigint then refuses with a 500.
 */
export function IsId(field: string, message = `${field} must be a positive integer`): PropertyDecorator {
  return ValidateBy({
    name: 'isId',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 1,
      defaultMessage: () => message,
    },
  });
}
