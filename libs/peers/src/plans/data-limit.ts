import type { UserEntity } from '../user.entity.js';
import type { DataLimit } from './access-policy.js';

/** The user's data limit from its five columns (all set or all null, as the schema's check keeps them). */
export function dataLimitOf(
  user: Pick<UserEntity, 'dataLimitBytes' | 'dataLimitPeriod' | 'dataLimitResetDay' | 'dataLimitAction' | 'dataLimitThrottleMbps'>,
): DataLimit | null {
  if (user.dataLimitBytes === null || user.dataLimitPeriod === null || user.dataLimitAction === null) return null;
  return {
    bytes: user.dataLimitBytes,
    period: user.dataLimitPeriod,
    resetDay: user.dataLimitResetDay,
    action: user.dataLimitAction,
    throttleMbps: user.dataLimitThrottleMbps,
  };
}
