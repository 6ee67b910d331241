import { cpuStatus, memoryStatus, meminfo } from './cpu-memory.js';
import { diskStatus, networkStatus } from './disks-network.js';
import { processStatus } from './processes.js';
import { snapshotSections } from './snapshot-sections.js';

/**
 * The node's system snapshot (the driver's SYSTEM_SNAPSHOT_SCRIPT output) as upstream's SystemStatus
 * object (notes §1.8.8). A section the node could not print gets upstream's empty value, as psutil
 * failures do there.
 */
export function toWgdSystemStatus(snapshot: string): Record<string, unknown> {
  const sections = snapshotSections(snapshot);
  const info = meminfo(sections.get('meminfo'));
  return {
    CPU: cpuStatus(sections.get('stat1'), sections.get('stat2')),
    Disks: diskStatus(sections.get('df'), sections.get('filesystems')),
    Memory: memoryStatus(info),
    NetworkInterfaces: networkStatus(sections.get('netdev')),
    Processes: processStatus(sections.get('names'), sections.get('ps'), info.get('MemTotal')),
  };
}
