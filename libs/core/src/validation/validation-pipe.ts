import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
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
 * Route params stay the strings the client sent: their own pipes (ParseIdPipe) decide. Nest's
 * primitive conversion would turn `/users/1e3` into user 1000.
 */
class StrictParamsValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * Whitelisting with forbidNonWhitelisted makes an unknown field a 422 (the contract), rather
 * than silently dropping it.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictParamsValidationPipe({
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
