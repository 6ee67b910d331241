import type { AccessReason, AccessState, DataLimitAction, DataLimitPeriod } from '../user.entity.js';

/** A user's data limit as the API shows it (all of it, or no limit at all). */
export interface DataLimit {
  bytes: number;
  period: DataLimitPeriod;
  /** 1–28 for `monthly`, null for `total`. */
  resetDay: number | null;
  action: DataLimitAction;
  /** Mbit/s both ways once reached, for `throttle`; null for `block`. */
  throttleMbps: number | null;
}

/** What decides a user's access: its plan and what it used in the current period. */
export interface AccessFacts {
  enabled: boolean;
  expiresAt: Date | null;
  dataLimit: DataLimit | null;
  /** rx + tx in the current period. */
  usedBytes: number;
}

export interface Access {
  state: AccessState;
  reason: AccessReason | null;
}

/**
 * The one rule for a user's access. The strongest reason wins: switched off, then past its end
 * date, then over its data limit (blocked, or throttled when the limit's action says so).
 */
export function evaluateAccess(facts: AccessFacts, now: Date): Access {
  if (!facts.enabled) return { state: 'blocked', reason: 'disabled' };
  if (facts.expiresAt !== null && facts.expiresAt.getTime() <= now.getTime()) return { state: 'blocked', reason: 'expired' };
  if (facts.dataLimit !== null && facts.usedBytes >= facts.dataLimit.bytes) {
    return { state: facts.dataLimit.action === 'block' ? 'blocked' : 'throttled', reason: 'data_limit_reached' };
  }
  return { state: 'allowed', reason: null };
}
