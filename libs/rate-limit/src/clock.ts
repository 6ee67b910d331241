/** Time source of the in-memory limiter, so tests can move time by hand. */
export abstract class Clock {
  /** Milliseconds since the epoch. */
  abstract now(): number;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
