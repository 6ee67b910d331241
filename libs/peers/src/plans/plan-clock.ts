/**
 * The time the plan enforcer reads (expiries, monthly periods): a port, so tests can move it. Kept
 * apart from the rate limiter's and the peer jobs' clocks: moving one must not move the others.
 */
export abstract class PlanClock {
  abstract now(): Date;
}

export class SystemPlanClock implements PlanClock {
  now(): Date {
    return new Date();
  }
}
