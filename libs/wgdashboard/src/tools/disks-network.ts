import { pyFloat } from '../python-json.js';
import { pythonRound } from './python-round.js';
import { pyInt } from './snapshot-sections.js';

/** psutil's "physical" partitions: filesystem types /proc/filesystems does not mark `nodev` (and zfs). */
function deviceFilesystems(filesystems: string): Set<string> {
  const types = new Set<string>(['zfs']);
  for (const line of filesystems.split('\n')) {
    const [flag, type] = line.split('\t');
    if (flag === '' && type !== undefined && type.trim() !== '') types.add(type.trim());
  }
  return types;
}

const DF_ROW = /^(\S+)\s+(\S+)\s+([0-9]+)\s+([0-9]+)\s+([0-9]+)\s+\S+\s+(.+)$/;

/**
 * `df -P -T -B1` rows of device-backed filesystems as upstream's Disk objects: bytes as ints and
 * psutil's percent, used / (used + available to users), rounded to 1 decimal.
 */
export function diskStatus(df: string | undefined, filesystems: string | undefined): Array<Record<string, unknown>> {
  const types = deviceFilesystems(filesystems ?? '');
  const disks: Array<Record<string, unknown>> = [];
  for (const line of (df ?? '').split('\n').slice(1)) {
    const row = DF_ROW.exec(line);
    if (row === null || !types.has(row[2]!)) continue;
    const [total, used, free] = [row[3]!, row[4]!, row[5]!];
    const userTotal = Number(used) + Number(free);
    disks.push({
      free: pyInt(free),
      mountPoint: row[6]!,
      percent: pyFloat(userTotal === 0 ? 0 : pythonRound((Number(used) / userTotal) * 100, 1)),
      total: pyInt(total),
      used: pyInt(used),
    });
  }
  return disks;
}

/** `/proc/net/dev` → upstream's map of psutil's per-interface counters (all ints). */
export function networkStatus(netdev: string | undefined): Record<string, Record<string, number | bigint>> {
  const interfaces: Record<string, Record<string, number | bigint>> = {};
  for (const line of (netdev ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || fields.length < 16 || !fields.every((f) => /^[0-9]+$/.test(f))) continue;
    interfaces[name] = {
      bytes_recv: pyInt(fields[0]!),
      bytes_sent: pyInt(fields[8]!),
      dropin: pyInt(fields[3]!),
      dropout: pyInt(fields[11]!),
      errin: pyInt(fields[2]!),
      errout: pyInt(fields[10]!),
      packets_recv: pyInt(fields[1]!),
      packets_sent: pyInt(fields[9]!),
    };
  }
  return interfaces;
}
