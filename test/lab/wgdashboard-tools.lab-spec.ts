import { cpus } from 'node:os';
import { NodeUnreachableError, type NodeTarget } from '@wgfleet/node-sync';
import { LocalNodeDriver, SshNodeDriver } from '@wgfleet/ssh-driver';
import { pythonJsonDumps } from '../../libs/wgdashboard/src/python-json.js';
import { parsePingOutput, toWgdPing } from '../../libs/wgdashboard/src/tools/ping-output.js';
import { toWgdSystemStatus } from '../../libs/wgdashboard/src/tools/system-status.js';
import { toolFailure } from '../../libs/wgdashboard/src/tools/tool-failure.js';
import { parseTracerouteOutput, toWgdTraceroute } from '../../libs/wgdashboard/src/tools/traceroute-output.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import { sshTargetOf } from './lab-fleet.js';

jest.setTimeout(120_000);

/** WGDashboard's ping, traceroute and systemStatus as the drivers run them: on a real node, over real SSH. */
describe('lab: node tools (ping, traceroute, system snapshot) on a node over SSH', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let target: NodeTarget;
  const driver = new SshNodeDriver({ connectTimeoutMs: 5_000, commandTimeoutMs: 20_000 });

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1 });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    target = sshTargetOf(node);
  });

  afterAll(async () => {
    await driver.close();
    await lab?.destroy();
  });

  it('pings the node’s own link address: every request answered, upstream’s shape and types', async () => {
    const output = await driver.ping(target, node.clientLinkIp, 2);
    expect(output.exitCode).toBe(0);
    const data = toWgdPing(parsePingOutput(output.stdout)!);
    expect(data).toMatchObject({ address: node.clientLinkIp, is_alive: true, package_sent: 2, package_received: 2, geo: null });
    expect(pythonJsonDumps(data)).toMatch(
      new RegExp(`^\\{"address":"${node.clientLinkIp.replace(/\./g, '\\.')}","avg_rtt":\\d+\\.\\d+,"geo":null,"is_alive":true,"max_rtt":\\d+\\.\\d+,"min_rtt":\\d+\\.\\d+,"package_loss":0\\.0,"package_received":2,"package_sent":2\\}$`),
    );
  });

  it('pings a client behind the node from the node, and an address nobody holds as not alive', async () => {
    const reached = toWgdPing(parsePingOutput((await driver.ping(target, client.ip, 1)).stdout)!);
    expect(reached).toMatchObject({ address: client.ip, is_alive: true, package_received: 1 });

    const nobody = client.ip.replace(/\.\d+$/, '.250');
    const output = await driver.ping(target, nobody, 1);
    expect(output.exitCode).toBe(1);
    expect(pythonJsonDumps(toWgdPing(parsePingOutput(output.stdout)!))).toBe(
      `{"address":"${nobody}","avg_rtt":0.0,"geo":null,"is_alive":false,"max_rtt":0.0,"min_rtt":0.0,"package_loss":1.0,"package_received":0,"package_sent":1}`,
    );
  });

  it('reports a name the node cannot resolve as such', async () => {
    const output = await driver.ping(target, 'nosuch.invalid', 1);
    expect(parsePingOutput(output.stdout)).toBeNull();
    expect(toolFailure(output)).toEqual({ kind: 'unknown-host' });
    expect(toolFailure(await driver.traceroute(target, 'nosuch.invalid'))).toEqual({ kind: 'unknown-host' });
  });

  it('traces the client: one hop, its address, two times', async () => {
    const output = await driver.traceroute(target, client.ip);
    expect(output.exitCode).toBe(0);
    const hops = parseTracerouteOutput(output.stdout);
    expect(hops).toEqual([{ distance: 1, address: client.ip, rttsMs: [expect.any(Number), expect.any(Number)] }]);
    expect(pythonJsonDumps(toWgdTraceroute(hops))).toMatch(/^\[\{"avg_rtt":\d+\.\d+,"geo":\{"city":"","country":"","lat":0,"lon":0,"query":"[0-9.]+"\},"hop":1,"ip":"[0-9.]+","max_rtt":\d+\.\d+,"min_rtt":\d+\.\d+\}\]$/);
  });

  it('takes the node’s system snapshot in one round trip: its CPUs, memory, disks, its own interfaces and processes', async () => {
    const started = performance.now();
    const output = await driver.systemSnapshot(target);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500); // the two CPU samples
    expect(output.exitCode).toBe(0);
    const status = toWgdSystemStatus(output.stdout) as {
      CPU: { cpu_percent: { value: number }; cpu_percent_per_cpu: unknown[] };
      Memory: { VirtualMemory: { total: number; available: number } };
      Disks: Array<{ mountPoint: string; total: number }>;
      NetworkInterfaces: Record<string, { bytes_recv: number }>;
      Processes: { cpu_top_10: Array<{ name: string }>; memory_top_10: unknown[] };
    };
    expect(status.CPU.cpu_percent_per_cpu).toHaveLength(cpus().length);
    expect(status.CPU.cpu_percent.value).toBeGreaterThanOrEqual(0);
    expect(status.Memory.VirtualMemory.total).toBeGreaterThan(status.Memory.VirtualMemory.available);
    expect(status.Disks.some((disk) => disk.mountPoint === '/' && disk.total > 0)).toBe(true);
    // /proc/net/dev is per network namespace: the node's links, not this machine's.
    expect(Object.keys(status.NetworkInterfaces).sort()).toEqual(['br0', 'c1', 'lo', 'up0']);
    expect(status.NetworkInterfaces.up0!.bytes_recv).toBeGreaterThan(0);
    expect(status.Processes.cpu_top_10.length).toBeGreaterThan(0);
    expect(status.Processes.cpu_top_10.length).toBeLessThanOrEqual(20);
    expect(status.Processes.memory_top_10.length).toBe(status.Processes.cpu_top_10.length);
    expect(() => pythonJsonDumps(status)).not.toThrow();
  });

  it('refuses a hostile target before anything is sent', async () => {
    await expect(driver.ping(target, '-f', 1)).rejects.toThrow('address must be an IPv4 or IPv6 address or a host name');
    await expect(driver.traceroute(target, '127.0.0.1;id')).rejects.toThrow('address must be an IPv4 or IPv6 address or a host name');
    await expect(driver.ping(target, '127.0.0.1', 50)).rejects.toThrow('count must be an integer from 1 to 10');
  });

  it('LocalNodeDriver runs the same scripts as child processes (inside the node namespaces, for the test)', async () => {
    const local = new LocalNodeDriver({ commandPrefix: ['nsenter', '-t', String(node.sshdPid), '-m', '-n', '--'], commandTimeoutMs: 20_000 });
    const localTarget: NodeTarget = { nodeId: 2, name: 'local', transport: 'local', ssh: null };
    expect(toWgdPing(parsePingOutput((await local.ping(localTarget, client.ip, 1)).stdout)!)).toMatchObject({ address: client.ip, is_alive: true });
    expect(parseTracerouteOutput((await local.traceroute(localTarget, client.ip)).stdout).map((hop) => hop.address)).toEqual([client.ip]);
    expect(Object.keys((toWgdSystemStatus((await local.systemSnapshot(localTarget)).stdout) as { NetworkInterfaces: object }).NetworkInterfaces)).toContain('up0');
    await local.close();
  });

  it('reports a node whose sshd is gone as unreachable', async () => {
    const gone = new SshNodeDriver({ connectTimeoutMs: 1_500 });
    const elsewhere: NodeTarget = { ...target, nodeId: 3, ssh: { ...target.ssh!, port: 1 } };
    await expect(gone.systemSnapshot(elsewhere)).rejects.toBeInstanceOf(NodeUnreachableError);
    await gone.close();
  });

  it('leaves nothing behind', async () => {
    await driver.close();
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
