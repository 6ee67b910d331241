/**
 * Upstream's timestamps: `"%Y-%m-%d %H:%M:%S"` in the server's local time (SQLite's
 * `datetime('now','localtime')`, Python's `strptime`). Here local means this process's time zone.
 */
export const PYTHON_DATETIME_FORMAT = '%Y-%m-%d %H:%M:%S';

const two = (n: number) => String(n).padStart(2, '0');

export function formatLocalDateTime(date: Date): string {
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

// strptime's %m, %d, %H, %M, %S take one or two digits; %Y four.
const LOCAL_DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;

/** The local time `text` names, or null where Python's strptime would raise (its message: `strptimeMismatch`). */
export function parseLocalDateTime(text: string): Date | null {
  const match = LOCAL_DATETIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hour, minute, second);
  const exact =
    date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day && date.getHours() === hour && date.getMinutes() === minute && date.getSeconds() === second;
  return exact ? date : null;
}

/** `ValueError` text of a failed `strptime(text, "%Y-%m-%d %H:%M:%S")`. */
export function strptimeMismatch(text: string): string {
  return `time data '${text}' does not match format '${PYTHON_DATETIME_FORMAT}'`;
}
