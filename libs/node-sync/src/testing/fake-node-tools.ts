import type { NodeToolOutput } from '../node-driver.js';

// What the fake node prints for the diagnostics, in the real tools' formats (iputils ping, Linux
// traceroute 2.x, /proc and procps), so the parsers behind the port see realistic text in tests.

const ok = (stdout: string): NodeToolOutput => ({ exitCode: 0, stdout, stderr: '' });

/** The fake resolver: addresses stand for themselves, `localhost` is 127.0.0.1, any other name is unknown. */
function resolve(address: string): string | null {
  if (address === 'localhost') return '127.0.0.1';
  return /^[0-9.]+$/.test(address) || address.includes(':') ? address : null;
}

/** Every request answered in 0.050 ms, from the address itself. */
export function fakePingOutput(address: string, count: number): NodeToolOutput {
  const ip = resolve(address);
  if (ip === null) return { exitCode: 2, stdout: '', stderr: `ping: ${address}: Name or service not known\n` };
  const replies = Array.from({ length: count }, (_, i) => `64 bytes from ${ip}: icmp_seq=${i + 1} ttl=64 time=0.050 ms\n`).join('');
  return ok(
    `PING ${address} (${ip}) 56(84) bytes of data.\n${replies}\n--- ${address} ping statistics ---\n` +
      `${count} packets transmitted, ${count} received, 0% packet loss, time ${(count - 1) * 1000}ms\n` +
      'rtt min/avg/max/mdev = 0.050/0.050/0.050/0.000 ms\n',
  );
}

/** The address one hop away. */
export function fakeTracerouteOutput(address: string): NodeToolOutput {
  const ip = resolve(address);
  if (ip === null) {
    return { exitCode: 2, stdout: '', stderr: `${address}: Name or service not known\nCannot handle "host" cmdline arg \`${address}' on position 1 (argc 9)\n` };
  }
  return ok(`traceroute to ${address} (${ip}), 64 hops max, 60 byte packets\n 1  ${ip}  0.030 ms  0.020 ms\n`);
}

/** A two-CPU node: 25 % busy over the sample, 4 GiB of memory, one disk, two interfaces, three processes. */
export const FAKE_SYSTEM_SNAPSHOT = [
  '',
  '@@wgfleet stat1',
  'cpu  1000 0 1000 8000 0 0 0 0 0 0',
  'cpu0 500 0 500 4000 0 0 0 0 0 0',
  'cpu1 500 0 500 4000 0 0 0 0 0 0',
  'intr 1',
  '',
  '@@wgfleet stat2',
  'cpu  1050 0 1050 8300 0 0 0 0 0 0',
  'cpu0 540 0 540 4120 0 0 0 0 0 0',
  'cpu1 510 0 510 4180 0 0 0 0 0 0',
  'intr 2',
  '',
  '@@wgfleet meminfo',
  'MemTotal:        4194304 kB',
  'MemFree:         1048576 kB',
  'MemAvailable:    3145728 kB',
  'SwapTotal:       1048576 kB',
  'SwapFree:         786432 kB',
  '',
  '@@wgfleet netdev',
  'Inter-|   Receive                                                |  Transmit',
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
  '    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
  '  eth0: 5000000    4000    1    2    0     0          0         0  3000000    3000    3    4    0     0       0          0',
  '',
  '@@wgfleet filesystems',
  'nodev\tsysfs',
  'nodev\ttmpfs',
  'nodev\tproc',
  '\text4',
  '',
  '@@wgfleet df',
  'Filesystem     Type     1-blocks       Used  Available Capacity Mounted on',
  '/dev/vda1      ext4  10000000000 4000000000 5500000000      43% /',
  'tmpfs          tmpfs   100000000          0  100000000       0% /run',
  '',
  '@@wgfleet names',
  '    1 init',
  '  200 wireguard-go',
  '  300 sshd',
  '',
  '@@wgfleet ps',
  '    1  0.0  4096 /sbin/init',
  '  200  1.5 20480 wireguard-go wg0',
  '  300  0.2  8192 sshd: root@notty',
  '',
  '@@wgfleet end',
  '',
].join('\n');

export function fakeSystemSnapshot(): NodeToolOutput {
  return ok(FAKE_SYSTEM_SNAPSHOT);
}
