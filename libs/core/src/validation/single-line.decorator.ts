import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Control characters (line breaks, NUL, tabs), format characters (bidi overrides, zero-width), lone surrogates, line/paragraph separators. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A string of at most `max` code points, none of them unprintable (so it stays one line wherever it is shown or written). */
export function isSingleLine(value: unknown, max: number): value is string {
  // The UTF-16 length bounds the code points from above: a long string is refused without splitting it.
  if (typeof value !== 'string' || (value.length > max && [...value].length > max)) return false;
  return !UNPRINTABLE.test(value);
}

/**
 * The portal's rule for free text: one line of at most `max` printable characters. The message
 * names the field and says what to send; it never echoes the value.
 */
export function IsSingleLine(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSingleLine',
      validator: {
        validate: (value: unknown) => isSingleLine(value, max),
        defaultMessage: (args) =>
          `${args?.property ?? 'the field'} must be one line of at most ${max} printable characters (no control characters, line breaks or bidi overrides)`,
      },
    },
    options,
  );
}
