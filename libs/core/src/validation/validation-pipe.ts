import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError, type FieldError } from '../errors/app-error.js';

/** Flattens class-validator's tree into one entry per bad field, with dotted paths. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      // forbidNonWhitelisted's own wording ("property x should not exist") does not say what to do.
      message: rule === 'whitelistValidation' ? 'is not a known field; remove it' : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Whitelisting with forbidNonWhitelisted makes an unknown field a 422 (the contract), rather
 * than silently dropping it.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = toFieldErrors(errors);
      const summary = fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return new AppError('validation_failed', `invalid input — ${summary}`, fieldErrors);
    },
  });
}
