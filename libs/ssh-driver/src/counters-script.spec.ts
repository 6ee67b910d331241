import { LocalNodeDriver } from './local-node-driver.js';
import { COUNTERS_SCRIPT, parseCounterSamples } from './push-script.js';

describe('parseCounterSamples', () => {
  it('reads the four counters the script prints', () => {
    expect(parseCounterSamples('10 20 30 45\n')).toEqual({ first: { rxBytes: 10, txBytes: 20 }, second: { rxBytes: 30, txBytes: 45 } });
  });

  it.each(['', '1 2 3\n', '1 2 3 x\n', '1 2 3 4 5\n', '-1 2 3 4\n', '1 2 3 4\n\n'])('refuses %j', (stdout) => {
    expect(parseCounterSamples(stdout)).toBe('unexpected counter output');
  });
});

describe('COUNTERS_SCRIPT', () => {
  it('carries no variable but the interface name, which it reads only under /sys/class/net', () => {
    expect(COUNTERS_SCRIPT).toContain('d="/sys/class/net/$IF/statistics"');
    expect(COUNTERS_SCRIPT.match(/\$[A-Za-z0-9_{]+/g)?.filter((v) => !['$1', '$IF', '$d', '$r1', '$t1', '$r2', '$t2'].includes(v))).toEqual([]);
  });

  // Reads counters only (never writes): safe on this machine. `lo` always exists.
  const driver = new LocalNodeDriver({ commandTimeoutMs: 10_000 });
  const target = { nodeId: 1, name: 'this machine', transport: 'local' as const, ssh: null };

  it('reads an interface twice, counters never going back', async () => {
    const samples = await driver.interfaceCounters(target, 'lo');
    expect(samples).not.toBeNull();
    expect(samples!.second.rxBytes).toBeGreaterThanOrEqual(samples!.first.rxBytes);
    expect(samples!.second.txBytes).toBeGreaterThanOrEqual(samples!.first.txBytes);
  });

  it('answers null for an interface that does not exist', async () => {
    expect(await driver.interfaceCounters(target, 'wgfleet-none0')).toBeNull();
  });

  it('refuses an interface name that could leave /sys/class/net before running anything', async () => {
    await expect(driver.interfaceCounters(target, '../../etc')).rejects.toThrow('interfaceName must be');
  });
});
