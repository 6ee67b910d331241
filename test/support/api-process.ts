import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const DIST_MAIN = join(__dirname, '../../dist/apps/api/src/main.js');
export const DIST_CLI = join(__dirname, '../../dist/apps/api/src/cli.js');

export function assertBuilt(): void {
  if (!existsSync(DIST_MAIN)) throw new Error(`${DIST_MAIN} is missing: run "npm run build" first (npm test does)`);
}

/** The API as a real process, the way `npm start` runs it. */
export class ApiProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  /** The reconciler is off unless the test turns it on: the shared test database holds made-up `local` nodes. */
  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [DIST_MAIN], { env: { RECONCILER_ENABLED: 'false', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.stdout.push(chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.stdout.join('') + this.stderr.join('');
  }

  /** Resolves with the base URL once the start banner is printed; rejects if the process exits. */
  async listening(timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = /listening on (http:\/\/\S+)/.exec(this.stderr.join(''));
      if (match) return match[1];
      if (this.child.exitCode !== null) throw new Error(`the API exited with ${this.child.exitCode}:\n${this.output()}`);
      await sleep(100);
    }
    throw new Error(`the API did not listen within ${timeoutMs} ms:\n${this.output()}`);
  }

  async stop(signal: NodeJS.Signals, timeoutMs = 20_000): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exit(timeoutMs);
  }

  async exit(timeoutMs = 20_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the API did not exit within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last resort for afterAll: never leave a process behind. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
