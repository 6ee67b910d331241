import { validate } from 'class-validator';

/** The servers module's own validation of a DTO made here, its first message (or null when valid). */
export async function firstValidationError(input: object): Promise<string | null> {
  const errors = await validate(input, { whitelist: true, forbidNonWhitelisted: true });
  const first = errors[0];
  return first ? (Object.values(first.constraints ?? {})[0] ?? `${first.property} is invalid`) : null;
}
