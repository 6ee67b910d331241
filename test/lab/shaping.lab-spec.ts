import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateKeyPair,
  ifbDevice,
  renderServerPeers,
  renderShapingBatch,
  serverAddress,
  type LimitedPeer,
} from '@wgfleet/wireguard';
import { firstFreeHost, labClientConfig } from './lab-tunnel.js';
import { measureBitsPerSecond, startIperfServer, stopIperfServer } from './iperf.js';
import { shapingState as tcState } from './plan-lab.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import type { RunResult } from './run.js';

jest.setTimeout(90_000);

const IFNAME = 'wg0';
const IFB = ifbDevice(IFNAME);
const LISTEN_PORT = 51820;
const SUBNET_V4 = '10.66.9.0/24';
const SUBNET_V6 = 'fd42:66:9::/64';
const DOWNLOAD_KBIT = 8_000;
const UPLOAD_KBIT = 4_000;
const SECONDS = 3;

describe('lab shaping: tc limits on a wireguard-go interface hold a client to its download and upload rates', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  /** A second user of the same server, never limited: its traffic takes HTB's default class. */
  let other: LabClient;
  let logDir: string | undefined;

  const serverKeys = generateKeyPair();
  const clientKeys = generateKeyPair();
  const otherKeys = generateKeyPair();
  const serverV4 = serverAddress(SUBNET_V4);
  const serverV6 = serverAddress(SUBNET_V6);
  const clientV4 = firstFreeHost(SUBNET_V4);
  const clientV6 = firstFreeHost(SUBNET_V6);
  const otherV4 = firstFreeHost(SUBNET_V4, [`${clientV4}/32`]);
  const otherV6 = firstFreeHost(SUBNET_V6, [`${clientV6}/128`]);
  const limited: LimitedPeer = { addresses: [`${clientV4}/32`, `${clientV6}/128`], downloadKbit: DOWNLOAD_KBIT, uploadKbit: UPLOAD_KBIT };

  async function nodeOk(argv: readonly string[], input?: string): Promise<string> {
    const result: RunResult = await node.exec(argv, input === undefined ? {} : { input });
    if (result.code !== 0) throw new Error(`node: \`${argv.join(' ')}\` exited ${String(result.code)}: ${result.stderr.trim()}`);
    return result.stdout;
  }

  /** What the push will do: make the ifb exist and be up (ip -batch), then rebuild everything (tc -batch). */
  async function applyShaping(peers: LimitedPeer[]): Promise<void> {
    const exists = (await node.exec(['ip', 'link', 'show', 'dev', IFB.name])).code === 0;
    if (!exists) await nodeOk(['ip', '-batch', '-'], IFB.createBatch);
    await nodeOk(['ip', '-batch', '-'], IFB.upBatch);
    await nodeOk(['tc', '-batch', '-'], renderShapingBatch({ interfaceName: IFNAME, peers }));
  }

  const shapingState = () => tcState(node, IFNAME, IFB.name);

  /** Mbit/s the receiver measured; download = the node sends (`-R`), upload = the client sends. */
  async function mbits(direction: 'download' | 'upload', server: string, from: LabClient = client): Promise<number> {
    const pid = await startIperfServer(node.netns, server, logDir!);
    try {
      return (await measureBitsPerSecond((argv, o) => from.exec(argv, o), server, SECONDS, direction === 'download')) / 1e6;
    } finally {
      await stopIperfServer(pid);
    }
  }

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'wgl-shaping-'));
    lab = await Lab.create({ nodes: 1, clientsPerNode: 2 });
    node = lab.nodes[0]!;
    [client, other] = lab.clients[0]! as [LabClient, LabClient];
    // Kernel WireGuard if there is one, else wireguard-go (a TUN device), which daemonizes: its output
    // goes nowhere so it cannot hold our pipe open. The lab's teardown ends it with the namespace's pids.
    await nodeOk(['sh', '-c', `ip link add ${IFNAME} type wireguard 2>/dev/null || wireguard-go ${IFNAME} </dev/null >/dev/null 2>&1`]);
    await nodeOk(['ip', '-4', 'address', 'add', `${serverV4}/24`, 'dev', IFNAME]);
    await nodeOk(['ip', '-6', 'address', 'add', `${serverV6}/64`, 'dev', IFNAME, 'nodad']);
    await nodeOk(['ip', 'link', 'set', 'dev', IFNAME, 'up']);
    const peers = renderServerPeers({
      privateKey: serverKeys.privateKey,
      listenPort: LISTEN_PORT,
      peers: [
        { publicKey: clientKeys.publicKey, presharedKey: null, allowedIps: [`${clientV4}/32`, `${clientV6}/128`] },
        { publicKey: otherKeys.publicKey, presharedKey: null, allowedIps: [`${otherV4}/32`, `${otherV6}/128`] },
      ],
    });
    await nodeOk(['wg', 'setconf', IFNAME, '/dev/stdin'], peers);
    const server = { publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT, subnets: [SUBNET_V4, SUBNET_V6] };
    const bringUp = (who: LabClient, privateKey: string, v4: string, v6: string) => who.bringUp(labClientConfig(node, server, { privateKey, v4, v6 }));
    await bringUp(client, clientKeys.privateKey, clientV4, clientV6);
    await bringUp(other, otherKeys.privateKey, otherV4, otherV6);
    expect(await client.ping(serverV4, 3, 2)).toMatchObject({ code: 0 });
    expect(await client.ping(serverV6, 3, 2)).toMatchObject({ code: 0 });
    expect(await other.ping(serverV4, 3, 2)).toMatchObject({ code: 0 });
  });

  afterAll(async () => {
    await lab?.destroy();
    if (logDir !== undefined) await rm(logDir, { recursive: true, force: true });
  });

  const near = (limitKbit: number) => [(0.6 * limitKbit) / 1000, (1.15 * limitKbit) / 1000] as const;

  it('holds IPv4 download to 8 Mbit/s and upload to 4 Mbit/s', async () => {
    await applyShaping([limited]);

    const down = await mbits('download', serverV4);
    const up = await mbits('upload', serverV4);

    expect(down).toBeGreaterThanOrEqual(near(DOWNLOAD_KBIT)[0]);
    expect(down).toBeLessThanOrEqual(near(DOWNLOAD_KBIT)[1]);
    expect(up).toBeGreaterThanOrEqual(near(UPLOAD_KBIT)[0]);
    expect(up).toBeLessThanOrEqual(near(UPLOAD_KBIT)[1]);
  });

  it('holds IPv6 download and upload to the same limits', async () => {
    const down = await mbits('download', serverV6);
    const up = await mbits('upload', serverV6);

    expect(down).toBeGreaterThanOrEqual(near(DOWNLOAD_KBIT)[0]);
    expect(down).toBeLessThanOrEqual(near(DOWNLOAD_KBIT)[1]);
    expect(up).toBeGreaterThanOrEqual(near(UPLOAD_KBIT)[0]);
    expect(up).toBeLessThanOrEqual(near(UPLOAD_KBIT)[1]);
  });

  it('leaves another peer of the same interface unshaped, through the default class', async () => {
    expect(await mbits('download', serverV4, other)).toBeGreaterThan((3 * DOWNLOAD_KBIT) / 1000);
    expect(await mbits('upload', serverV4, other)).toBeGreaterThan((3 * UPLOAD_KBIT) / 1000);
  });

  it('leaves the same qdiscs, classes and filters when the same batch is applied again', async () => {
    const before = await shapingState();
    await applyShaping([limited]);
    const after = await shapingState();

    expect(after).toEqual(before);
    expect(before[0]).toMatch(/qdisc htb 1: root/);
    expect(before[1]).toMatch(/class htb 1:2 root .*rate 8Mbit ceil 8Mbit/);
    expect(before[3]).toMatch(/mirred \(Egress Redirect to device ifb-wg0\)/);
    expect(before[5]).toMatch(/class htb 1:2 root .*rate 4Mbit ceil 4Mbit/);
  });

  it('restores the root qdisc removed by hand when the batch is applied again', async () => {
    const applied = await shapingState();
    await nodeOk(['tc', 'qdisc', 'del', 'dev', IFNAME, 'root']);
    expect((await shapingState())[1]).toBe('');

    await applyShaping([limited]);

    expect(await shapingState()).toEqual(applied);
  });

  it('lets traffic run well above the limits once no peer is limited', async () => {
    await applyShaping([]);
    const [qdiscs, classes, filters, ingress, ifbQdiscs, ifbClasses] = await shapingState();
    expect(qdiscs).not.toMatch(/htb|ingress/);
    expect([classes, filters, ingress, ifbClasses]).toEqual(['', '', '', '']);
    expect(ifbQdiscs).not.toMatch(/htb/);

    expect(await mbits('download', serverV4)).toBeGreaterThan((3 * DOWNLOAD_KBIT) / 1000);
    expect(await mbits('upload', serverV4)).toBeGreaterThan((3 * UPLOAD_KBIT) / 1000);
  });

  it('leaves no namespace, root link, process or file behind when destroyed', async () => {
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
