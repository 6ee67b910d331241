import { ValidationPipe, type ArgumentMetadata, type Type, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError, type FieldError } from '../errors/app-error.js';

const UNKNOWN_FIELD = 'is not a known field; remove it';

/** Flattens class-validator's tree into one entry per bad field, with dotted paths. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      // forbidNonWhitelisted's own wording ("property x should not exist") does not say what to do.
      message: rule === 'whitelistValidation' ? UNKNOWN_FIELD : message,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Route params stay the strings the client sent: their own pipes (ParseIdPipe) decide. Nest's
 * primitive conversion would turn `/users/1e3` into user 1000.
 *
 * A query without parameters (most list calls) goes through class-transformer and class-validator
 * once per DTO class; when that yields a plain `new Dto()` with nothing set, later empty queries
 * get a fresh `new Dto()` directly, which is what the full run would give them again: the input
 * is the same `{}` and the DTO's rules do not change. Any other outcome (an error, a default
 * filled in by a transform) keeps the full run for every request.
 */
class StrictParamsValidationPipe extends ValidationPipe {
  private readonly emptyQueryIsBare = new Map<Type<unknown>, boolean>();

  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await this.transformOnce(value, metadata);
    } catch (error) {
      throw metadata.type === 'body' && metadata.metatype ? withKnownFields(error, metadata.metatype) : error;
    }
  }

  private async transformOnce(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.type === 'query' && metadata.data === undefined && this.toValidate(metadata) ? metadata.metatype : undefined;
    if (!metatype || !isEmptyPlainObject(value)) return super.transform(value, metadata);
    const bare = this.emptyQueryIsBare.get(metatype);
    if (bare === true) return new metatype();
    const result: unknown = await super.transform(value, metadata);
    if (bare === undefined) this.emptyQueryIsBare.set(metatype, isBareInstance(result, metatype));
    return result;
  }
}

/**
 * An unknown field of a body says which fields the body takes (a misspelt `expire_at` shows the
 * right name). Top-level fields only: a nested object's class is not known here.
 */
function withKnownFields(error: unknown, metatype: Type<unknown>): unknown {
  if (!(error instanceof AppError) || error.code !== 'validation_failed' || !error.fieldErrors) return error;
  const unknown = error.fieldErrors.filter((e) => e.message === UNKNOWN_FIELD && !e.field.includes('.'));
  if (unknown.length === 0) return error;
  const known = [...new Set(getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).map((m) => m.propertyName))];
  if (known.length === 0) return error;
  const takes = `${UNKNOWN_FIELD} (this body takes ${known.join(', ')})`;
  return validationFailed(error.fieldErrors.map((e) => (unknown.includes(e) ? { ...e, message: takes } : e)));
}

function validationFailed(fieldErrors: FieldError[]): AppError {
  const summary = fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new AppError('validation_failed', `invalid input — ${summary}`, fieldErrors);
}

function isEmptyPlainObject(value: unknown): value is Record<string, never> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.keys(value).length === 0;
}

/** An instance of exactly `metatype` whose own properties are those of `new metatype()`. */
function isBareInstance(value: unknown, metatype: Type<unknown>): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== metatype.prototype) return false;
  let fresh: Record<string, unknown>;
  try {
    fresh = new metatype() as Record<string, unknown>;
  } catch {
    return false;
  }
  const keys = Reflect.ownKeys(value);
  if (keys.length !== Reflect.ownKeys(fresh).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(fresh, key) && Object.is((value as Record<PropertyKey, unknown>)[key], fresh[key as string]));
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
    exceptionFactory: (errors) => validationFailed(toFieldErrors(errors)),
  });
}
