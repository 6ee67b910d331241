import { monthlyPeriodStart, nextAnyPeriodStart, nextMonthlyPeriodStart, usagePeriodStart } from './usage-period.js';

const utc = (text: string) => new Date(text);

describe('monthlyPeriodStart', () => {
  it.each([
    ['mid-month, after the reset day', 5, '2026-03-17T12:00:00Z', '2026-03-05T00:00:00Z'],
    ['before the reset day: last month', 5, '2026-03-04T23:59:59.999Z', '2026-02-05T00:00:00Z'],
    ['exactly at the boundary: the new period', 5, '2026-03-05T00:00:00Z', '2026-03-05T00:00:00Z'],
    ['one millisecond before the boundary: the old period', 5, '2026-03-04T23:59:59.999Z', '2026-02-05T00:00:00Z'],
    ['January, before the reset day: December of the year before', 10, '2026-01-09T08:00:00Z', '2025-12-10T00:00:00Z'],
    ['day 1 at New Year', 1, '2027-01-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    ['day 1 just before New Year', 1, '2026-12-31T23:59:59Z', '2026-12-01T00:00:00Z'],
    ['reset day 28 in February of a common year', 28, '2026-02-28T00:00:00Z', '2026-02-28T00:00:00Z'],
    ['reset day 28 on the 1st of March: still February’s period', 28, '2026-03-01T06:00:00Z', '2026-02-28T00:00:00Z'],
    ['reset day 28 on 29 February of a leap year', 28, '2028-02-29T12:00:00Z', '2028-02-28T00:00:00Z'],
    ['reset day 28 on the 31st of a long month', 28, '2026-07-31T23:00:00Z', '2026-07-28T00:00:00Z'],
    ['reset day 1 on 29 February of a leap year', 1, '2028-02-29T12:00:00Z', '2028-02-01T00:00:00Z'],
    ['reset day 27 on the 27th of March, a second in', 27, '2026-03-27T00:00:01Z', '2026-03-27T00:00:00Z'],
  ])('%s (day %i, at %s): %s', (_, day, at, expected) => {
    expect(monthlyPeriodStart(day, utc(at)).toISOString()).toBe(utc(expected).toISOString());
  });

  it.each([0, 29, 31, 1.5, Number.NaN])('refuses reset day %p', (day) => {
    expect(() => monthlyPeriodStart(day, utc('2026-03-05T00:00:00Z'))).toThrow('reset day must be an integer from 1 to 28');
  });
});

describe('nextMonthlyPeriodStart', () => {
  it.each([
    ['later this month', 20, '2026-03-17T12:00:00Z', '2026-03-20T00:00:00Z'],
    ['exactly at a boundary: the next month’s', 5, '2026-03-05T00:00:00Z', '2026-04-05T00:00:00Z'],
    ['one millisecond before a boundary: that boundary', 5, '2026-03-04T23:59:59.999Z', '2026-03-05T00:00:00Z'],
    ['December into January', 15, '2026-12-20T00:00:00Z', '2027-01-15T00:00:00Z'],
    ['reset day 28 from 29 February of a leap year', 28, '2028-02-29T00:00:00Z', '2028-03-28T00:00:00Z'],
    ['reset day 28 from the 31st of January', 28, '2026-01-31T00:00:00Z', '2026-02-28T00:00:00Z'],
  ])('%s (day %i, at %s): %s', (_, day, at, expected) => {
    expect(nextMonthlyPeriodStart(day, utc(at)).toISOString()).toBe(utc(expected).toISOString());
  });

  it.each([1, 5, 28])('every instant lies in [start, next start) of its period (day %i)', (day) => {
    for (let t = Date.UTC(2027, 10, 20); t < Date.UTC(2028, 3, 10); t += 7 * 3_600_000 + 13 * 60_000) {
      const at = new Date(t);
      const start = monthlyPeriodStart(day, at);
      const next = nextMonthlyPeriodStart(day, at);
      expect(start.getTime()).toBeLessThanOrEqual(t);
      expect(next.getTime()).toBeGreaterThan(t);
      expect(nextMonthlyPeriodStart(day, start).getTime()).toBe(next.getTime());
    }
  });
});

describe('nextAnyPeriodStart', () => {
  it.each([
    ['the next midnight on days 1–27', '2026-03-17T12:00:00Z', '2026-03-18T00:00:00Z'],
    ['the next midnight at a midnight', '2026-03-17T00:00:00Z', '2026-03-18T00:00:00Z'],
    ['the 28th from the 27th', '2026-03-27T10:00:00Z', '2026-03-28T00:00:00Z'],
    ['the 1st from the 28th: no reset on days 29–31', '2026-03-28T10:00:00Z', '2026-04-01T00:00:00Z'],
    ['the 1st from 29 February of a leap year', '2028-02-29T10:00:00Z', '2028-03-01T00:00:00Z'],
    ['the next year from 31 December', '2026-12-31T10:00:00Z', '2027-01-01T00:00:00Z'],
  ])('%s (%s): %s', (_, at, expected) => {
    expect(nextAnyPeriodStart(utc(at)).toISOString()).toBe(utc(expected).toISOString());
  });
});

describe('usagePeriodStart', () => {
  const createdAt = utc('2026-01-20T15:30:00Z');
  it.each([
    ['no data limit: since creation', null, null, createdAt.toISOString()],
    ['a total limit: since creation', 'total' as const, null, createdAt.toISOString()],
    ['a monthly limit: since the latest reset', 'monthly' as const, 9, '2026-03-09T00:00:00.000Z'],
  ])('%s', (_, period, resetDay, expected) => {
    expect(usagePeriodStart({ createdAt, dataLimitPeriod: period, dataLimitResetDay: resetDay }, utc('2026-03-12T00:00:00Z')).toISOString()).toBe(expected);
  });
});
