import { pythonJsonDumps } from '../python-json.js';
import { cpuStatus, memoryStatus, meminfo } from './cpu-memory.js';
import { diskStatus, networkStatus } from './disks-network.js';
import { processStatus } from './processes.js';
import { pyInt, snapshotSections } from './snapshot-sections.js';
import { toWgdSystemStatus } from './system-status.js';

const dumps = (value: unknown) => pythonJsonDumps(value);

describe('snapshotSections', () => {
  it('splits the marked blocks and keeps their lines', () => {
    const sections = snapshotSections('\n@@wgfleet a\nx\ny\n\n@@wgfleet b\n@@wgfleet end\n');
    expect([...sections.entries()]).toEqual([
      ['a', 'x\ny\n'],
      ['b', ''],
      ['end', ''],
    ]);
  });

  it('ignores text before the first mark and a mark inside a line', () => {
    expect([...snapshotSections('noise\n@@wgfleet a\n x @@wgfleet b\n').keys()]).toEqual(['a']);
  });
});

describe('pyInt', () => {
  it.each([
    ['0', 0],
    ['9007199254740991', 9007199254740991],
    ['18446744073709551615', 18446744073709551615n],
  ])('%s', (text, expected) => expect(pyInt(text)).toBe(expected));
});

describe('cpuStatus (psutil cpu_percent between two /proc/stat samples)', () => {
  const stat = (...lines: string[]) => lines.join('\n');
  it.each([
    [
      '25 % busy overall, per CPU in index order',
      stat('cpu  1000 0 1000 8000 0 0 0 0 0 0', 'cpu1 500 0 500 4000 0 0 0 0 0 0', 'cpu0 500 0 500 4000 0 0 0 0 0 0'),
      stat('cpu  1050 0 1050 8300 0 0 0 0 0 0', 'cpu0 540 0 540 4120 0 0 0 0 0 0', 'cpu1 510 0 510 4180 0 0 0 0 0 0'),
      '{"cpu_percent":25.0,"cpu_percent_per_cpu":[40.0,10.0]}',
    ],
    [
      'iowait is idle; guest time is already in user time',
      stat('cpu  0 0 0 0 0 0 0 0 0 0'),
      stat('cpu  100 0 0 100 100 0 0 0 60 0'),
      '{"cpu_percent":33.3,"cpu_percent_per_cpu":[]}',
    ],
    ['no time passed', stat('cpu  5 5 5 5 5 5 5 5 0 0'), stat('cpu  5 5 5 5 5 5 5 5 0 0'), '{"cpu_percent":0.0,"cpu_percent_per_cpu":[]}'],
    ['counters that went back count as 0', stat('cpu  100 0 0 100 0 0 0 0 0 0'), stat('cpu  50 0 0 200 0 0 0 0 0 0'), '{"cpu_percent":0.0,"cpu_percent_per_cpu":[]}'],
    ['old kernels print fewer columns', stat('cpu  10 0 10 80'), stat('cpu  20 0 20 140'), '{"cpu_percent":25.0,"cpu_percent_per_cpu":[]}'],
    ['unreadable: psutil initial values', undefined, '', '{"cpu_percent":0,"cpu_percent_per_cpu":[]}'],
  ])('%s', (_name, first, second, expected) => {
    expect(dumps(cpuStatus(first, second))).toBe(expected);
  });
});

describe('memoryStatus', () => {
  it.each([
    [
      'virtual from MemAvailable, swap from SwapFree',
      'MemTotal:        4194304 kB\nMemFree:         1048576 kB\nMemAvailable:    3145728 kB\nSwapTotal:       1048576 kB\nSwapFree:         786432 kB\n',
      '{"SwapMemory":{"__memoryType__":"swap","available":805306368,"percent":25.0,"total":1073741824},' +
        '"VirtualMemory":{"__memoryType__":"virtual","available":3221225472,"percent":25.0,"total":4294967296}}',
    ],
    [
      'no swap, no MemAvailable (free + buffers + cached)',
      'MemTotal: 3000 kB\nMemFree: 1000 kB\nBuffers: 0 kB\nCached: 1000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n',
      '{"SwapMemory":{"__memoryType__":"swap","available":0,"percent":0.0,"total":0},' +
        '"VirtualMemory":{"__memoryType__":"virtual","available":2048000,"percent":33.3,"total":3072000}}',
    ],
    [
      'unreadable: zeros as ints, as upstream when psutil fails',
      '',
      '{"SwapMemory":{"__memoryType__":"swap","available":0,"percent":0,"total":0},"VirtualMemory":{"__memoryType__":"virtual","available":0,"percent":0,"total":0}}',
    ],
  ])('%s', (_name, text, expected) => {
    expect(dumps(memoryStatus(meminfo(text)))).toBe(expected);
  });
});

const FILESYSTEMS = 'nodev\tsysfs\nnodev\ttmpfs\nnodev\toverlay\n\text4\n\tvfat\n';

describe('diskStatus (df of device-backed filesystems, psutil percent)', () => {
  it.each([
    [
      'keeps ext4 and vfat, drops tmpfs and overlay; mount points with spaces stay whole',
      'Filesystem Type 1-blocks Used Available Capacity Mounted on\n' +
        '/dev/vda1 ext4 10000000000 4000000000 5500000000 43% /\n' +
        'tmpfs tmpfs 100000000 0 100000000 0% /run\n' +
        'overlay overlay 100 50 50 50% /var/lib/docker/x\n' +
        '/dev/vdb1 vfat 2000 0 0 0% /mnt/my  disk\n',
      '[{"free":5500000000,"mountPoint":"/","percent":42.1,"total":10000000000,"used":4000000000},' +
        '{"free":0,"mountPoint":"/mnt/my  disk","percent":0.0,"total":2000,"used":0}]',
    ],
    ['df printed nothing', '', '[]'],
  ])('%s', (_name, df, expected) => {
    expect(dumps(diskStatus(df, FILESYSTEMS))).toBe(expected);
  });

  it('counts zfs as a device filesystem, as psutil does', () => {
    expect(diskStatus('h\ntank/home zfs 100 25 75 25% /home\n', '')).toHaveLength(1);
  });
});

describe('networkStatus (/proc/net/dev as psutil counters)', () => {
  it('maps receive and transmit columns, any counter size', () => {
    const netdev =
      'Inter-|   Receive                                                |  Transmit\n' +
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n' +
      '  eth0: 5000000    4000    1    2    0     0          0         0  3000000    3000    3    4    0     0       0          0\n' +
      'wg0:18446744073709551615 1 0 0 0 0 0 0 7 8 0 0 0 0 0 0\n';
    expect(dumps(networkStatus(netdev))).toBe(
      '{"eth0":{"bytes_recv":5000000,"bytes_sent":3000000,"dropin":2,"dropout":4,"errin":1,"errout":3,"packets_recv":4000,"packets_sent":3000},' +
        '"wg0":{"bytes_recv":18446744073709551615,"bytes_sent":7,"dropin":0,"dropout":0,"errin":0,"errout":0,"packets_recv":1,"packets_sent":8}}',
    );
  });
});

describe('processStatus', () => {
  const names = '    1 init\n    2 kthreadd\n  200 wireguard-go\n  300 tmux: server\n  400 gone\n';
  const ps = '    1  0.0  4096 /sbin/init splash\n    2  0.0     0 [kthreadd]\n  200  1.5 20480 wireguard-go wg0\n  300  1.5  8192 tmux new -s x\n  500  9.9 99999 ps -e\n';

  it('lists by cpu and by memory, highest first, ties in pid order, names whole, kernel threads without a command', () => {
    expect(dumps(processStatus(names, ps, 409600))).toBe(
      '{"cpu_top_10":[' +
        '{"command":"wireguard-go wg0","name":"wireguard-go","percent":1.5,"pid":200},' +
        '{"command":"tmux new -s x","name":"tmux: server","percent":1.5,"pid":300},' +
        '{"command":"/sbin/init splash","name":"init","percent":0.0,"pid":1},' +
        '{"command":"","name":"kthreadd","percent":0.0,"pid":2}],' +
        '"memory_top_10":[' +
        '{"command":"wireguard-go wg0","name":"wireguard-go","percent":5.0,"pid":200},' +
        '{"command":"tmux new -s x","name":"tmux: server","percent":2.0,"pid":300},' +
        '{"command":"/sbin/init splash","name":"init","percent":1.0,"pid":1},' +
        '{"command":"","name":"kthreadd","percent":0.0,"pid":2}]}',
    );
  });

  it('keeps at most 20 in each list', () => {
    const many = Array.from({ length: 30 }, (_, i) => i + 1);
    const result = processStatus(many.map((p) => `${p} p${p}`).join('\n'), many.map((p) => `${p} ${p}.0 ${p} p${p}`).join('\n'), 1000);
    expect(result.cpu_top_10).toHaveLength(20);
    expect((result.cpu_top_10![0] as { pid: number }).pid).toBe(30);
  });

  it('is empty when ps printed nothing', () => {
    expect(dumps(processStatus(undefined, undefined, undefined))).toBe('{"cpu_top_10":[],"memory_top_10":[]}');
  });
});

describe('toWgdSystemStatus', () => {
  it('has upstream’s five keys with their shapes, from one snapshot', () => {
    const snapshot = [
      '@@wgfleet stat1',
      'cpu  0 0 0 0 0 0 0 0 0 0',
      'cpu0 0 0 0 0 0 0 0 0 0 0',
      '@@wgfleet stat2',
      'cpu  10 0 0 30 0 0 0 0 0 0',
      'cpu0 10 0 0 30 0 0 0 0 0 0',
      '@@wgfleet meminfo',
      'MemTotal: 1000 kB',
      'MemAvailable: 500 kB',
      'SwapTotal: 0 kB',
      'SwapFree: 0 kB',
      '@@wgfleet netdev',
      'lo: 1 2 0 0 0 0 0 0 1 2 0 0 0 0 0 0',
      '@@wgfleet filesystems',
      '\text4',
      '@@wgfleet df',
      'Filesystem Type 1-blocks Used Available Capacity Mounted on',
      '/dev/vda ext4 100 50 50 50% /',
      '@@wgfleet names',
      '1 init',
      '@@wgfleet ps',
      '1 0.5 100 /sbin/init',
      '@@wgfleet end',
      '',
    ].join('\n');
    expect(dumps(toWgdSystemStatus(snapshot))).toBe(
      '{"CPU":{"cpu_percent":25.0,"cpu_percent_per_cpu":[25.0]},' +
        '"Disks":[{"free":50,"mountPoint":"/","percent":50.0,"total":100,"used":50}],' +
        '"Memory":{"SwapMemory":{"__memoryType__":"swap","available":0,"percent":0.0,"total":0},' +
        '"VirtualMemory":{"__memoryType__":"virtual","available":512000,"percent":50.0,"total":1024000}},' +
        '"NetworkInterfaces":{"lo":{"bytes_recv":1,"bytes_sent":1,"dropin":0,"dropout":0,"errin":0,"errout":0,"packets_recv":2,"packets_sent":2}},' +
        '"Processes":{"cpu_top_10":[{"command":"/sbin/init","name":"init","percent":0.5,"pid":1}],' +
        '"memory_top_10":[{"command":"/sbin/init","name":"init","percent":10.0,"pid":1}]}}',
    );
  });
});
