import { pyFloat } from '../python-json.js';

/** How many processes each list holds (upstream's `*_top_10` keys hold 20). */
export const TOP_PROCESSES = 20;

interface ProcessRow {
  pid: number;
  name: string;
  command: string;
  cpu: number;
  memory: number;
}

/**
 * The node's processes from `ps -o pid= -o comm=` (names, whole even with spaces) and
 * `ps -o pid= -o pcpu= -o rss= -o args=`, as upstream's two lists: by CPU (ps's share of one CPU since
 * the process started) and by memory (resident size over MemTotal, unrounded like psutil's
 * memory_percent), highest first, ties in pid order. A process that started or ended between the two
 * ps runs is left out; kernel threads have an empty command, as psutil's cmdline gives them.
 */
export function processStatus(names: string | undefined, ps: string | undefined, memTotalKib: number | undefined): Record<string, unknown[]> {
  const nameOf = new Map<number, string>();
  for (const line of (names ?? '').split('\n')) {
    const match = /^\s*([0-9]+) (.*)$/.exec(line);
    if (match !== null) nameOf.set(Number(match[1]), match[2]!);
  }
  const rows: ProcessRow[] = [];
  for (const line of (ps ?? '').split('\n')) {
    const match = /^\s*([0-9]+)\s+([0-9.]+)\s+([0-9]+) ?(.*)$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    const name = nameOf.get(pid);
    if (name === undefined) continue;
    const args = match[4]!;
    rows.push({
      pid,
      name,
      command: /^\[.*\]( <defunct>)?$/.test(args) ? '' : args,
      cpu: Number(match[2]),
      memory: memTotalKib ? (Number(match[3]) / memTotalKib) * 100 : 0,
    });
  }
  rows.sort((a, b) => a.pid - b.pid);
  const top = (key: 'cpu' | 'memory') =>
    [...rows]
      .sort((a, b) => b[key] - a[key])
      .slice(0, TOP_PROCESSES)
      .map((row) => ({ command: row.command, name: row.name, percent: pyFloat(row[key]), pid: row.pid }));
  return { cpu_top_10: top('cpu'), memory_top_10: top('memory') };
}
