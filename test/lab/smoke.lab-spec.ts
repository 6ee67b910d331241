import {
  generateKeyPair,
  generatePresharedKey,
  parseWgDump,
  portForwardChains,
  renderPortForwardRules,
  renderServerPeers,
  serverAddress,
} from '@wgfleet/wireguard';
import { firstFreeHost, labClientConfig } from './lab-tunnel.js';
import { ECHO_BANNER, Lab, type LabClient, type LabNode } from './lab.js';
import * as nodeCommands from './node-commands.js';
import { SshExec } from './ssh-exec.js';

jest.setTimeout(120_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const SUBNET_V4 = '10.66.1.0/24';
const SUBNET_V6 = 'fd42:66:1::/64';

describe('lab smoke: a node in a namespace takes its tunnel, peers and port forward over SSH', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let ssh: SshExec | undefined;

  const serverKeys = generateKeyPair();
  const clientKeys = generateKeyPair();
  const presharedKey = generatePresharedKey();
  const serverV4 = serverAddress(SUBNET_V4);
  const serverV6 = serverAddress(SUBNET_V6);
  const clientV4 = firstFreeHost(SUBNET_V4);
  const clientV6 = firstFreeHost(SUBNET_V6);

  async function sshOk(command: string, stdin?: string): Promise<string> {
    const result = await ssh!.exec(command, stdin);
    if (result.code !== 0) throw new Error(`remote command exited ${String(result.code)}: ${result.stderr}`);
    return result.stdout;
  }

  async function ruleListing(): Promise<string[]> {
    const saved = await node.exec(['iptables-save']);
    expect(saved.code).toBe(0);
    return saved.stdout.split('\n').filter((line) => line.startsWith('-A'));
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    ssh = await SshExec.connect({
      host: node.sshHost,
      port: node.sshPort,
      username: node.username,
      privateKey: node.privateKey,
      hostKey: node.hostKey,
    });
  });

  afterAll(async () => {
    ssh?.close();
    await lab?.destroy();
  });

  it('creates wg0 on the node and converges its peer set from stdin', async () => {
    await sshOk(nodeCommands.bringUpInterface(IFNAME), `${serverV4}/24\n${serverV6}/64\n`);
    const peers = renderServerPeers({
      privateKey: serverKeys.privateKey,
      listenPort: LISTEN_PORT,
      peers: [{ publicKey: clientKeys.publicKey, presharedKey, allowedIps: [`${clientV4}/32`, `${clientV6}/128`] }],
    });
    await sshOk(nodeCommands.syncPeers(IFNAME), peers);

    const dump = parseWgDump(await sshOk(nodeCommands.dumpInterface(IFNAME)));
    expect(dump.interface).toMatchObject({ publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT });
    expect(dump.peers.map((p) => p.publicKey)).toEqual([clientKeys.publicKey]);
  });

  it('lets the client reach the server tunnel address over IPv4 and IPv6', async () => {
    const config = labClientConfig(
      node,
      { publicKey: serverKeys.publicKey, listenPort: LISTEN_PORT, subnets: [SUBNET_V4, SUBNET_V6] },
      { privateKey: clientKeys.privateKey, v4: clientV4, v6: clientV6, presharedKey },
    );
    await client.bringUp(config);

    expect(await client.ping(serverV4, 3, 2)).toMatchObject({ code: 0 });
    expect(await client.ping(serverV6, 3, 2)).toMatchObject({ code: 0 });
  });

  it('shows the handshake and traffic in wg show dump', async () => {
    const dump = parseWgDump(await sshOk(nodeCommands.dumpInterface(IFNAME)));
    const peer = dump.peers.find((p) => p.publicKey === clientKeys.publicKey);
    expect(peer).toBeDefined();
    expect(peer!.latestHandshakeAt).not.toBeNull();
    expect(peer!.hasPresharedKey).toBe(true);
    expect(peer!.rxBytes).toBeGreaterThan(0);
    expect(peer!.txBytes).toBeGreaterThan(0);
  });

  const forwardRules = () =>
    renderPortForwardRules({
      interfaceName: IFNAME,
      serverTunnelIp: serverV4,
      forwards: [{ id: 1, publicIp: node.publicIp, externalPort: 443, targetIp: clientV4, internalPort: 8443, protocol: 'tcp' }],
    });

  function jumpCounts(rules: string[]): number[] {
    return portForwardChains(IFNAME).map(({ builtinChain, chain }) => rules.filter((r) => r === `-A ${builtinChain} -j ${chain}`).length);
  }

  it('forwards the node public port 443 to a service on the client', async () => {
    await lab!.startTcpEcho(client.netns, 8443);
    await sshOk(nodeCommands.applyPortForwards(IFNAME), forwardRules());

    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, 443)).resolves.toBe(ECHO_BANNER);
    expect(jumpCounts(await ruleListing())).toEqual(portForwardChains(IFNAME).map(() => 1));
  });

  it('rebuilds exactly the same rules when the forwards are applied again', async () => {
    const before = await ruleListing();
    await sshOk(nodeCommands.applyPortForwards(IFNAME), forwardRules());
    const after = await ruleListing();

    expect(after).toEqual(before);
    expect(jumpCounts(after)).toEqual(portForwardChains(IFNAME).map(() => 1));
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, 443)).resolves.toBe(ECHO_BANNER);
  });

  it('leaves no namespace, root link, process or file behind when destroyed', async () => {
    ssh?.close();
    ssh = undefined;
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
