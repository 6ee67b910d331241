/** The time peer jobs read (creation and log dates, `date` conditions): a port, so tests can move it. */
export abstract class PeerJobClock {
  abstract now(): Date;
}

export class SystemPeerJobClock implements PeerJobClock {
  now(): Date {
    return new Date();
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM:SS` in UTC: SQLite's `strftime('%Y-%m-%d %H:%M:%S','now')`, upstream's job dates. */
export function formatUtcDateTime(date: Date): string {
  return `${date.getUTCFullYear()}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}
