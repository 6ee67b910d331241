import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  HostKeyMismatchError,
  InterfaceMissingError,
  NodeUnreachableError,
  type DesiredServerState,
  type NodeTarget,
} from '@wgfleet/node-sync';
import { LocalNodeDriver, SshNodeDriver } from '@wgfleet/ssh-driver';
import {
  generateKeyPair,
  ifbDeviceName,
  generatePresharedKey,
  parseWgDump,
  renderPortForwardRules,
  renderServerPeers,
  renderShapingBatch,
  serverAddress,
} from '@wgfleet/wireguard';
import { firstFreeHost, labClientConfig } from './lab-tunnel.js';
import { ECHO_BANNER, Lab, type LabClient, type LabNode } from './lab.js';
import { sshTargetOf } from './lab-fleet.js';

jest.setTimeout(120_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const SUBNET_V4 = '10.66.1.0/24';
const SUBNET_V6 = 'fd42:66:1::/64';

/** The same key type with one bit flipped in the key: a well-formed pin that the node does not hold. */
function otherHostKey(line: string): string {
  const [type, base64] = line.trim().split(/\s+/);
  const blob = Buffer.from(base64!, 'base64');
  blob[blob.length - 1] ^= 1;
  return `${type} ${blob.toString('base64')}`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('lab: SshNodeDriver and LocalNodeDriver converge a real WireGuard node', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  const driver = new SshNodeDriver({ connectTimeoutMs: 5_000, commandTimeoutMs: 20_000 });
  const applyTimes: number[] = [];

  const serverKeys = generateKeyPair();
  const clientKeys = generateKeyPair();
  const presharedKey = generatePresharedKey();
  const serverV4 = serverAddress(SUBNET_V4);
  const serverV6 = serverAddress(SUBNET_V6);
  const clientV4 = firstFreeHost(SUBNET_V4);
  const clientV6 = firstFreeHost(SUBNET_V6);

  let target: NodeTarget;

  function desired(withPeer: boolean): DesiredServerState {
    return {
      interfaceName: IFNAME,
      addresses: [`${serverV4}/24`, `${serverV6}/64`],
      mtu: 1420,
      tunnelSubnets: [SUBNET_V4, SUBNET_V6],
      shaping: { ifbName: ifbDeviceName(IFNAME), batch: renderShapingBatch({ interfaceName: IFNAME, peers: [] }) },
      dnsForwarderConfig: null,
      peersConfig: renderServerPeers({
        privateKey: serverKeys.privateKey,
        listenPort: LISTEN_PORT,
        peers: withPeer ? [{ publicKey: clientKeys.publicKey, presharedKey, allowedIps: [`${clientV4}/32`, `${clientV6}/128`] }] : [],
      }),
      forwardRules: renderPortForwardRules({
        interfaceName: IFNAME,
        serverTunnelIp: serverV4,
        forwards: withPeer ? [{ id: 1, publicIp: node.publicIp, externalPort: 443, targetIp: clientV4, internalPort: 8443, protocol: 'tcp' }] : [],
      }),
    };
  }

  async function timedApply(state: DesiredServerState): Promise<void> {
    const started = performance.now();
    await driver.apply(target, state);
    applyTimes.push(performance.now() - started);
  }

  async function nodeOut(argv: string[]): Promise<string> {
    const result = await node.exec(argv);
    if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
    return result.stdout;
  }

  const ruleCounts = async () => ({
    v4: (await nodeOut(['iptables-save'])).split('\n').filter((l) => l.startsWith('-A')).sort(),
    v6: (await nodeOut(['ip6tables-save'])).split('\n').filter((l) => l.startsWith('-A')).sort(),
  });

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    target = sshTargetOf(node);
  });

  afterAll(async () => {
    await driver.close();
    if (applyTimes.length > 0) {
      console.log(`ssh-driver lab: apply over SSH, ms: ${applyTimes.map((t) => t.toFixed(1)).join(', ')}; median ${median(applyTimes).toFixed(1)}`);
    }
    await lab?.destroy();
  });

  it('reports a missing interface as InterfaceMissingError', async () => {
    await expect(driver.dump(target, IFNAME)).rejects.toBeInstanceOf(InterfaceMissingError);
  });

  it('creates wg0 with its addresses, peers, persisted file, forwards and NAT in one apply', async () => {
    await timedApply(desired(true));

    const dump = parseWgDump(await driver.dump(target, IFNAME));
    expect(dump.interface).toMatchObject({ publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT });
    expect(dump.peers.map((p) => p.publicKey)).toEqual([clientKeys.publicKey]);

    const link = await nodeOut(['ip', '-o', 'address', 'show', 'dev', IFNAME]);
    expect(link).toContain(`inet ${serverV4}/24`);
    expect(link).toContain(`inet6 ${serverV6}/64`);
    expect(await nodeOut(['cat', `/sys/class/net/${IFNAME}/mtu`])).toBe('1420\n');
    expect(await nodeOut(['sysctl', '-n', 'net.ipv4.ip_forward'])).toBe('1\n');
    expect(await nodeOut(['sysctl', '-n', 'net.ipv6.conf.all.forwarding'])).toBe('1\n');
  });

  it('persists /etc/wireguard/wg0.conf in wg-quick form, mode 0600, with the peer', async () => {
    expect(await nodeOut(['stat', '-c', '%a %U', `/etc/wireguard/${IFNAME}.conf`])).toBe('600 root\n');
    const conf = await nodeOut(['cat', `/etc/wireguard/${IFNAME}.conf`]);
    expect(conf.startsWith(`[Interface]\nAddress = ${serverV4}/24\nAddress = ${serverV6}/64\nMTU = 1420\nPrivateKey = `)).toBe(true);
    expect(conf).toContain(`PublicKey = ${clientKeys.publicKey}`);
    expect(await nodeOut(['ls', '-A', '/etc/wireguard'])).toBe(`${IFNAME}.conf\n`);
  });

  it('lets the client reach the server over IPv4 and IPv6 and shows the handshake', async () => {
    const config = labClientConfig(
      node,
      { publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT, subnets: [SUBNET_V4, SUBNET_V6] },
      { privateKey: clientKeys.privateKey, v4: clientV4, v6: clientV6, presharedKey },
    );
    await client.bringUp(config);
    expect(await client.ping(serverV4, 3, 2)).toMatchObject({ code: 0 });
    expect(await client.ping(serverV6, 3, 2)).toMatchObject({ code: 0 });

    const peer = parseWgDump(await driver.dump(target, IFNAME)).peers.find((p) => p.publicKey === clientKeys.publicKey);
    expect(peer?.latestHandshakeAt).not.toBeNull();
    expect(peer?.hasPresharedKey).toBe(true);
  });

  it('forwards the node public port 443 to a service on the client', async () => {
    await lab!.startTcpEcho(client.netns, 8443);
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, 443)).resolves.toBe(ECHO_BANNER);
  });

  it('re-applies without growing the rule set (iptables and ip6tables)', async () => {
    const before = await ruleCounts();
    expect(before.v4).toContain(`-A WGF-NAT-${IFNAME} -s ${SUBNET_V4} ! -o ${IFNAME} -j MASQUERADE`);
    expect(before.v6).toContain(`-A WGF-NAT-${IFNAME} -s ${SUBNET_V6} ! -o ${IFNAME} -j MASQUERADE`);
    const lineCount = async () => (await nodeOut(['iptables-save'])).split('\n').length;
    const linesBefore = await lineCount();
    for (let i = 0; i < 4; i++) await timedApply(desired(true));
    expect(await lineCount()).toBe(linesBefore);
    expect(await ruleCounts()).toEqual(before);
    expect(await client.ping(serverV4, 2, 2)).toMatchObject({ code: 0 });
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, 443)).resolves.toBe(ECHO_BANNER);
  });

  it('refuses a node whose host key differs from the pin, and changes nothing', async () => {
    const impostor: NodeTarget = { ...target, nodeId: 2, ssh: { ...target.ssh!, hostKey: otherHostKey(node.hostKey) } };
    const rulesBefore = await ruleCounts();
    const error = await driver.apply(impostor, desired(false)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect((error as Error).message).toMatch(/node n1: .*differs from the pinned key/);
    expect((error as Error).message).not.toContain(node.privateKey.split('\n')[1]!.slice(0, 20));
    // During the backoff the same verdict comes back at once.
    await expect(driver.dump(impostor, IFNAME)).rejects.toBeInstanceOf(HostKeyMismatchError);

    expect(parseWgDump(await driver.dump(target, IFNAME)).peers).toHaveLength(1);
    expect(await ruleCounts()).toEqual(rulesBefore);
  });

  it('removes a peer (and its forward) when the desired state drops it', async () => {
    await timedApply(desired(false));
    expect(parseWgDump(await driver.dump(target, IFNAME)).peers).toEqual([]);
    expect(await nodeOut(['cat', `/etc/wireguard/${IFNAME}.conf`])).not.toContain(clientKeys.publicKey);
    expect((await ruleCounts()).v4.filter((l) => l.includes('wgfleet-pf-'))).toEqual([]);
  });

  it('LocalNodeDriver runs the same script as child processes (inside the node namespaces, for the test)', async () => {
    const local = new LocalNodeDriver({ commandPrefix: ['nsenter', '-t', String(node.sshdPid), '-m', '-n', '--'], commandTimeoutMs: 20_000 });
    const keys = generateKeyPair();
    const state: DesiredServerState = {
      interfaceName: 'wg1',
      addresses: ['10.66.2.1/24'],
      mtu: null,
      tunnelSubnets: ['10.66.2.0/24'],
      shaping: { ifbName: ifbDeviceName('wg1'), batch: renderShapingBatch({ interfaceName: 'wg1', peers: [] }) },
      dnsForwarderConfig: null,
      peersConfig: renderServerPeers({
        privateKey: keys.privateKey,
        listenPort: LISTEN_PORT + 1,
        peers: [{ publicKey: clientKeys.publicKey, presharedKey: null, allowedIps: ['10.66.2.2/32'] }],
      }),
      forwardRules: renderPortForwardRules({ interfaceName: 'wg1', serverTunnelIp: '10.66.2.1', forwards: [] }),
    };
    const localTarget: NodeTarget = { nodeId: 3, name: 'local', transport: 'local', ssh: null };
    await local.apply(localTarget, state);
    await local.apply(localTarget, state);

    const dump = parseWgDump(await local.dump(localTarget, 'wg1'));
    expect(dump.interface).toMatchObject({ publicKey: keys.publicKey, listenPort: LISTEN_PORT + 1 });
    expect(dump.peers.map((p) => p.publicKey)).toEqual([clientKeys.publicKey]);
    // The SSH driver sees the same interface: same node, two transports.
    expect(parseWgDump(await driver.dump(target, 'wg1')).interface.publicKey).toBe(keys.publicKey);
    expect(await nodeOut(['stat', '-c', '%a', '/etc/wireguard/wg1.conf'])).toBe('600\n');
    await expect(local.dump(localTarget, 'wg9')).rejects.toBeInstanceOf(InterfaceMissingError);
    await local.close();
  });

  it('reconnects on the next call after the pooled connection dropped', async () => {
    await driver.dump(target, IFNAME);
    // The per-connection sshd processes are children of the lab's listening sshd.
    const children = readFileSync(`/proc/${node.sshdPid}/task/${node.sshdPid}/children`, 'utf8').trim().split(/\s+/).filter((p) => p !== '');
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(Number(pid), 'SIGKILL');
    await sleep(200);
    expect(parseWgDump(await driver.dump(target, IFNAME)).interface.publicKey).toBe(serverKeys.publicKey);
  });

  it('reports a hung sshd as NodeUnreachableError within the connect timeout, then fails fast while backing off', async () => {
    const fresh = new SshNodeDriver({ connectTimeoutMs: 1_500, backoffInitialMs: 5_000 });
    // SIGSTOP: the kernel still accepts the TCP connection, but no SSH banner ever comes.
    process.kill(node.sshdPid, 'SIGSTOP');
    try {
      let started = performance.now();
      await expect(fresh.dump(target, IFNAME)).rejects.toBeInstanceOf(NodeUnreachableError);
      expect(performance.now() - started).toBeLessThan(3_500);

      started = performance.now();
      await expect(fresh.dump(target, IFNAME)).rejects.toThrow(/next attempt in/);
      expect(performance.now() - started).toBeLessThan(100);
    } finally {
      process.kill(node.sshdPid, 'SIGCONT');
      await fresh.close();
    }
    // The pooled connection of the main driver was never affected.
    await sleep(10);
    expect(parseWgDump(await driver.dump(target, IFNAME)).interface.publicKey).toBe(serverKeys.publicKey);
  });

  it('remove takes one interface off the node (device, wireguard-go, chains and their jumps, file) and leaves the other alone', async () => {
    await timedApply(desired(true)); // wg0 with a peer and a forward again: every chain in use
    // The peer was removed and added back: the client's next handshake (WireGuard retries every 5 s) restores the tunnel.
    expect(await client.ping(serverV4, 1, 12)).toMatchObject({ code: 0 });
    const chainsOf = (save: string, ifname: string) => save.split('\n').filter((l) => new RegExp(`WGF-[A-Z-]*${ifname}\\b`).test(l));
    const wg1Before = chainsOf(await nodeOut(['iptables-save']), 'wg1');
    expect(wg1Before.length).toBeGreaterThan(0); // wg1 from the LocalNodeDriver test
    const wg0Before = chainsOf(await nodeOut(['iptables-save']), IFNAME);

    await driver.remove(target, 'wg1');
    expect((await node.exec(['ip', 'link', 'show', 'dev', 'wg1'])).code).not.toBe(0);
    await expect(driver.dump(target, 'wg1')).rejects.toBeInstanceOf(InterfaceMissingError);
    expect(chainsOf(await nodeOut(['iptables-save']), 'wg1')).toEqual([]);
    expect(chainsOf(await nodeOut(['ip6tables-save']), 'wg1')).toEqual([]);
    expect(await nodeOut(['ls', '-A', '/etc/wireguard'])).toBe(`${IFNAME}.conf\n`);
    expect(await nodeOut(['ls', '-A', '/run/wireguard'])).not.toContain('wg1');
    // Its shaping ifb (made by every apply, limits or not) and its runtime state go too.
    expect((await node.exec(['ip', 'link', 'show', 'dev', ifbDeviceName('wg1')])).code).not.toBe(0);
    expect(await nodeOut(['ls', '-A', '/run/wgfleet'])).not.toContain('wg1');
    // Idempotent: removing what is gone succeeds.
    await driver.remove(target, 'wg1');

    // wg0 untouched: its rules, its peer, its tunnel.
    expect(chainsOf(await nodeOut(['iptables-save']), IFNAME)).toEqual(wg0Before);
    expect(parseWgDump(await driver.dump(target, IFNAME)).peers.map((p) => p.publicKey)).toEqual([clientKeys.publicKey]);
    expect(await client.ping(serverV4, 2, 2)).toMatchObject({ code: 0 });
  });

  it('leaves nothing behind', async () => {
    await driver.close();
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
