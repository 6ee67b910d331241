/**
 * Background work on a timer: a first pass soon after start, then the next one an interval after
 * the previous one ended (a slow pass delays the next one instead of piling up), never two at once.
 * stop() waits for the pass in progress, so the module's teardown does not pull its tables away.
 */
export class RepeatingPass<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;
  private stopped = false;

  /** `failed` logs a pass's error and says what the pass returns instead. */
  constructor(
    private readonly pass: () => Promise<T>,
    private readonly failed: (error: unknown) => T,
  ) {}

  /**
   * Runs `pass` (the timer's by default); while one is running, returns that one's result instead of
   * starting another. Never rejects: it runs from a timer, where a rejection would end the process.
   */
  runOnce(pass: () => Promise<T> = this.pass): Promise<T> {
    this.running ??= pass()
      .catch(this.failed)
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** The first pass right after start, off the start's path; then every `intervalMs` after a pass ends. */
  start(intervalMs: number): void {
    this.scheduleNext(0, intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private scheduleNext(delayMs: number, intervalMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().then(() => this.scheduleNext(intervalMs, intervalMs));
    }, delayMs);
    this.timer.unref();
  }
}
