import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Node gives a child a Unix socketpair as stdin, and open("/dev/stdin") on a socket fails with ENXIO,
 * so `wg setconf IF /dev/stdin` could not read it. A regular file as fd 0 opens fine: the input goes
 * to a 0600 file that is unlinked as soon as it is open.
 */
function stdinFrom(input: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'wgl-stdin-'));
  try {
    const file = join(dir, 'stdin');
    writeFileSync(file, input, { mode: 0o600 });
    return openSync(file, 'r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs argv (never through a shell) and resolves with its exit code and output, even on failure. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty argv');
  const stdin = options.input === undefined ? 'ignore' : stdinFrom(options.input);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(file, args, { stdio: [stdin, 'pipe', 'pipe'] });
    if (typeof stdin === 'number') closeSync(stdin);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr: timedOut ? `${stderr}[lab: timed out, killed]` : stderr });
    });
  });
}

/** Like run(), but throws with the command and its stderr when the exit code is not 0. */
export async function mustRun(argv: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(argv, options);
  if (result.code !== 0) {
    throw new Error(`lab: \`${argv.join(' ')}\` exited ${String(result.code)}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
