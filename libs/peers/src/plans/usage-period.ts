import type { DataLimitPeriod } from '../user.entity.js';

// When a user's usage period starts: pure date math in UTC. A monthly period starts on its reset
// day (1–28, so every month has it) at 00:00 UTC; a `total` limit, or none, counts from creation.

function checkResetDay(resetDay: number): number {
  if (!Number.isInteger(resetDay) || resetDay < 1 || resetDay > 28) throw new RangeError(`reset day must be an integer from 1 to 28, got ${resetDay}`);
  return resetDay;
}

/** The latest `resetDay` 00:00 UTC at or before `at` (a period includes its first instant). */
export function monthlyPeriodStart(resetDay: number, at: Date): Date {
  const day = checkResetDay(resetDay);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const thisMonth = Date.UTC(year, month, day);
  // Date.UTC carries month -1 into December of the year before.
  return new Date(thisMonth <= at.getTime() ? thisMonth : Date.UTC(year, month - 1, day));
}

/** The first `resetDay` 00:00 UTC after `at`: when the period holding `at` ends. */
export function nextMonthlyPeriodStart(resetDay: number, at: Date): Date {
  const day = checkResetDay(resetDay);
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  const thisMonth = Date.UTC(year, month, day);
  return new Date(thisMonth > at.getTime() ? thisMonth : Date.UTC(year, month + 1, day));
}

/** The first instant after `at` where any monthly period (any reset day) starts: the next midnight UTC, or the 1st after days 29–31. */
export function nextAnyPeriodStart(at: Date): Date {
  let next = nextMonthlyPeriodStart(1, at);
  for (let day = 2; day <= 28; day += 1) {
    const candidate = nextMonthlyPeriodStart(day, at);
    if (candidate < next) next = candidate;
  }
  return next;
}

/** The plan fields a usage period depends on. */
export interface PeriodSubject {
  createdAt: Date;
  dataLimitPeriod: DataLimitPeriod | null;
  dataLimitResetDay: number | null;
}

/** Where the user's current usage period starts: its monthly reset, else its creation. */
export function usagePeriodStart(user: PeriodSubject, at: Date): Date {
  if (user.dataLimitPeriod === 'monthly' && user.dataLimitResetDay !== null) return monthlyPeriodStart(user.dataLimitResetDay, at);
  return user.createdAt;
}
