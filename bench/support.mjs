// Processes for the benchmarks: each one is started here and stopped by its own pid.
import { spawn } from 'node:child_process';
import { mkdtemp, chmod, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o711);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Spawns a process and resolves once `ready()` says so (bounded); `stop()` ends that pid. */
export async function startProcess(command, args, { env = process.env, ready, timeoutMs = 60_000, label = command }) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + timeoutMs;
  while (!(await ready(output).catch(() => false))) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode}:\n${output.slice(-2000)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label} was not ready within ${timeoutMs} ms:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid,
    output: () => output,
    /** stdout alone: structured log lines never cut by a stderr chunk. */
    stdout: () => stdout,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A throwaway redis-server on a free loopback port, no persistence (as test/support/redis-server.ts). */
export async function startRedis() {
  const port = await freePort();
  const redis = await startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    ready: async (out) => out.includes('Ready to accept connections'),
    label: 'redis-server',
  });
  return { url: `redis://127.0.0.1:${port}`, stop: redis.stop };
}

export async function httpOk(url, headers = {}) {
  const response = await fetch(url, { headers });
  return response.ok;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The machine's CPU time so far, from /proc/stat's first line: `{ busy, total }` in clock ticks. */
async function cpuTicks() {
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + ticks[4]; // idle + iowait
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Starts watching the whole machine's CPU; the returned function gives the busy share since then (0–1). */
export async function watchCpu() {
  const start = await cpuTicks();
  return async () => {
    const end = await cpuTicks();
    return (end.busy - start.busy) / Math.max(1, end.total - start.total);
  };
}
