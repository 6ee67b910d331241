import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, terminate, track, type TrackedPid } from './processes.js';
import { run, type RunResult } from './run.js';

// Throughput through a lab tunnel with Debian's iperf3: a one-off server (`-1`: it serves one test,
// then exits) started by pid in a namespace, and a client run that reports JSON.

export const IPERF_PORT = 5201;

/** `iperf3 -s -1` bound to `address` in `netns`, listening when this resolves. The caller stops it with stopIperfServer. */
export async function startIperfServer(netns: string, address: string, logDir: string): Promise<TrackedPid> {
  const logFile = join(logDir, `iperf3-${netns}.log`);
  const log = openSync(logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', netns, 'iperf3', '-s', '-1', '-B', address, '-p', String(IPERF_PORT)], {
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  // `ip netns exec` execs iperf3 in place: this pid is the server's.
  const pid = child.pid === undefined ? null : track(child.pid, `iperf3 -s in ${netns}`);
  if (pid === null) throw new Error(`lab: iperf3 did not start in ${netns}: ${readFileSync(logFile, 'utf8')}`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const listening = await run(['ip', 'netns', 'exec', netns, 'ss', '-Hltn', `sport = :${IPERF_PORT}`]);
    if (listening.stdout.trim() !== '') return pid;
    if (!isAlive(pid)) break;
    await sleep(50);
  }
  await terminate([pid]);
  throw new Error(`lab: iperf3 in ${netns} is not listening on ${address}:${IPERF_PORT}: ${readFileSync(logFile, 'utf8')}`);
}

/** Waits a little for the one-off server to exit by itself, then ends it by pid. */
export async function stopIperfServer(pid: TrackedPid): Promise<void> {
  for (let waited = 0; waited < 2_000 && isAlive(pid); waited += 50) await sleep(50);
  const survivors = await terminate([pid]);
  if (survivors.length > 0) throw new Error(`lab: iperf3 pid ${pid.pid} survived SIGKILL`);
}

/**
 * Bits per second the receiving side measured over `seconds`: the node when `reverse` is false
 * (the client sends: upload), the client with `-R` (the node sends: download).
 */
export async function measureBitsPerSecond(
  exec: (argv: readonly string[], options: { timeoutMs: number }) => Promise<RunResult>,
  host: string,
  seconds: number,
  reverse: boolean,
): Promise<number> {
  const argv = ['iperf3', '-c', host, '-p', String(IPERF_PORT), '-t', String(seconds), '-J', '--connect-timeout', '3000', ...(reverse ? ['-R'] : [])];
  const result = await exec(argv, { timeoutMs: (seconds + 10) * 1_000 });
  if (result.code !== 0) throw new Error(`lab: iperf3 -c ${host} exited ${String(result.code)}: ${result.stdout.slice(-500)} ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { end?: { sum_received?: { bits_per_second?: unknown } } };
  const bps = report.end?.sum_received?.bits_per_second;
  if (typeof bps !== 'number') throw new Error(`lab: iperf3 reported no received rate: ${result.stdout.slice(0, 500)}`);
  return bps;
}
