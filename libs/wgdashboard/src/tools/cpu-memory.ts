import { pyFloat, type PyFloat } from '../python-json.js';
import { pythonRound } from './python-round.js';
import { pyInt } from './snapshot-sections.js';

/** `/proc/stat` `cpu*` lines → name → the ten jiffy counters (user nice system idle iowait irq softirq steal guest guest_nice). */
function cpuTimes(stat: string): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (const line of stat.split('\n')) {
    const match = /^(cpu[0-9]*)\s+([0-9 ]+)$/.exec(line.trim());
    if (match === null) continue;
    const values = match[2]!.trim().split(/\s+/).map(Number);
    while (values.length < 10) values.push(0);
    times.set(match[1]!, values);
  }
  return times;
}

/**
 * psutil's cpu_percent between two samples: busy share of the time that passed, where guest time is
 * already inside user time and idle includes iowait; rounded to 1 decimal. No time passed → 0.0.
 */
function busyPercent(before: number[], after: number[]): number {
  const delta = after.map((value, i) => Math.max(0, value - (before[i] ?? 0)));
  const total = delta.reduce((a, b) => a + b, 0) - delta[8]! - delta[9]!;
  const busy = total - delta[3]! - delta[4]!;
  return total <= 0 ? 0 : pythonRound(Math.min(100, Math.max(0, (busy / total) * 100)), 1);
}

/** Upstream's CPU object from two /proc/stat samples; psutil's initial values (int 0, []) when unreadable. */
export function cpuStatus(stat1: string | undefined, stat2: string | undefined): { cpu_percent: PyFloat | number; cpu_percent_per_cpu: PyFloat[] } {
  const first = cpuTimes(stat1 ?? '');
  const second = cpuTimes(stat2 ?? '');
  const all = [first.get('cpu'), second.get('cpu')];
  if (all[0] === undefined || all[1] === undefined) return { cpu_percent: 0, cpu_percent_per_cpu: [] };
  const perCpu = [...second.keys()]
    .filter((name) => name !== 'cpu' && first.has(name))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
    .map((name) => pyFloat(busyPercent(first.get(name)!, second.get(name)!)));
  return { cpu_percent: pyFloat(busyPercent(all[0], all[1])), cpu_percent_per_cpu: perCpu };
}

/** `/proc/meminfo` → field → kB. */
export function meminfo(text: string | undefined): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const match = /^([A-Za-z0-9_()]+):\s+([0-9]+)/.exec(line);
    if (match !== null) fields.set(match[1]!, Number(match[2]));
  }
  return fields;
}

const KIB = 1024;
const percentOf = (part: number, whole: number) => pyFloat(whole <= 0 ? 0 : pythonRound((part / whole) * 100, 1));

/**
 * Upstream's Memory objects. Virtual: psutil's total, available (MemAvailable) and used share.
 * Swap: free swap as `available` and the used share as `percent` — upstream's own code reads an
 * `available` that psutil's swap tuple does not have, so it always shows 0 and int 0 there.
 */
export function memoryStatus(info: Map<string, number>): Record<string, Record<string, unknown>> {
  const total = info.get('MemTotal');
  const available = info.get('MemAvailable') ?? (info.get('MemFree') ?? 0) + (info.get('Buffers') ?? 0) + (info.get('Cached') ?? 0);
  const swapTotal = info.get('SwapTotal');
  const swapFree = info.get('SwapFree') ?? 0;
  return {
    SwapMemory:
      swapTotal === undefined
        ? { __memoryType__: 'swap', available: 0, percent: 0, total: 0 }
        : { __memoryType__: 'swap', available: pyInt(String(swapFree * KIB)), percent: percentOf(swapTotal - swapFree, swapTotal), total: pyInt(String(swapTotal * KIB)) },
    VirtualMemory:
      total === undefined
        ? { __memoryType__: 'virtual', available: 0, percent: 0, total: 0 }
        : { __memoryType__: 'virtual', available: pyInt(String(available * KIB)), percent: percentOf(total - available, total), total: pyInt(String(total * KIB)) },
  };
}
