/** The Postgres error behind a failed query (TypeORM wraps it in QueryFailedError but keeps the fields). */
interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  driverError?: { code?: unknown; constraint?: unknown };
}

function pgFields(error: unknown): { code: unknown; constraint: unknown } {
  const e = (error ?? {}) as PgErrorFields;
  return { code: e.code ?? e.driverError?.code, constraint: e.constraint ?? e.driverError?.constraint };
}

/** A unique violation (23505), optionally of one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const fields = pgFields(error);
  return fields.code === '23505' && (constraint === undefined || fields.constraint === constraint);
}

/** A foreign key violation (23503): the referenced row went away, or a referencing row still exists. */
export function isForeignKeyViolation(error: unknown): boolean {
  return pgFields(error).code === '23503';
}

/** The name of the violated constraint, if any. */
export function violatedConstraint(error: unknown): string | null {
  const { constraint } = pgFields(error);
  return typeof constraint === 'string' ? constraint : null;
}
