import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A pid plus its kernel start time, so a recycled pid is never mistaken for (or killed as) ours. */
export interface TrackedPid {
  pid: number;
  startTime: string;
  label: string;
}

function readStat(pid: number): { state: string; startTime: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The comm field may contain spaces and parentheses, so count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return null;
  }
}

export function track(pid: number, label: string): TrackedPid | null {
  const stat = readStat(pid);
  return stat === null ? null : { pid, startTime: stat.startTime, label };
}

export function isAlive(p: TrackedPid): boolean {
  const stat = readStat(p.pid);
  return stat !== null && stat.startTime === p.startTime && stat.state !== 'Z';
}

function signal(p: TrackedPid, sig: NodeJS.Signals): void {
  if (!isAlive(p)) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // Exited between the check and the kill.
  }
}

/** SIGTERM, a bounded wait, then SIGKILL and another bounded wait. Returns those still alive. */
export async function terminate(pids: readonly TrackedPid[], graceMs = 2_000): Promise<TrackedPid[]> {
  for (const p of pids) signal(p, 'SIGTERM');
  for (let waited = 0; waited < graceMs && pids.some(isAlive); waited += 50) await sleep(50);
  for (const p of pids) signal(p, 'SIGKILL');
  for (let waited = 0; waited < 2_000 && pids.some(isAlive); waited += 50) await sleep(50);
  return pids.filter(isAlive);
}

/** For process-exit handlers, where nothing asynchronous runs any more. */
export function killNow(pids: readonly TrackedPid[]): void {
  for (const p of pids) signal(p, 'SIGKILL');
}
