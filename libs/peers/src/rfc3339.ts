const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** The range a plan's dates may take: PostgreSQL and JavaScript hold both ends exactly. */
const FIRST_YEAR = 1970;
const LAST_YEAR = 9999;

/**
 * An RFC 3339 date-time with its offset (`2027-01-31T23:59:59Z`, `2027-02-01T01:00:00+02:00`),
 * or null. Stricter than Date.parse, which takes dates without an offset (read as local time),
 * other formats, and rolls `02-30` over into March. Fractions of a millisecond are dropped (a
 * JavaScript date holds milliseconds); a leap second (`:60`) is refused.
 */
export function parseRfc3339(text: string): Date | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  let offset = 0;
  if (!zulu) {
    if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
    offset = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(y, m - 1, d, Number(hour), Number(minute), Number(second), millis) - offset * 60_000;
  return new Date(utc);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
