import type { AccessState } from '../user.entity.js';

/** A rate the node holds a peer to, per direction, in kbit/s; null: unlimited. */
export interface PeerRates {
  downloadKbit: number | null;
  uploadKbit: number | null;
}

/** The user's plan: its own rates (Mbit/s, null unlimited) and what a reached `throttle` limit allows. */
export interface RatePlan {
  downloadMbps: number | null;
  uploadMbps: number | null;
  accessState: AccessState;
  /** The data limit's throttle rate (both ways), when its action is `throttle`. */
  throttleMbps: number | null;
}

/** Mbit/s (at most three decimals) to whole kbit/s, as tc takes them. */
export function mbpsToKbit(mbps: number | null): number | null {
  return mbps === null ? null : Math.round(mbps * 1000);
}

/**
 * The rates pushed for a peer on its node. Allowed: the plan's own. Throttled: the slower of the plan
 * and the throttle rate in each direction (an unlimited direction gets the throttle rate). A blocked
 * user has no peer on the node; its plan's rates are returned unchanged.
 */
export function effectiveRates(plan: RatePlan): PeerRates {
  const throttle = plan.accessState === 'throttled' ? plan.throttleMbps : null;
  const combine = (own: number | null) => mbpsToKbit(throttle === null ? own : own === null ? throttle : Math.min(own, throttle));
  return { downloadKbit: combine(plan.downloadMbps), uploadKbit: combine(plan.uploadMbps) };
}
