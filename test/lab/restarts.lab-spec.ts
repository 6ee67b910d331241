import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseWgDump, serverAddress } from '@wgfleet/wireguard';
import { makeAccount } from '../support/test-app.js';
import { startReconcilingTestApp } from '../support/reconciling-test-app.js';
import { apiAs, nodeOutput, waitFor } from './api-lab.js';
import { ECHO_BANNER, Lab, type LabClient, type LabNode } from './lab.js';

/**
 * Restarts of the control plane are harmless to the data plane: each start of the app reconciles
 * every server in scope (a full apply), and ten such starts on the same database leave the node's
 * firewall and WireGuard state exactly as they were (apply is idempotent: no duplicated rules, no
 * lost peer). With the app stopped, the client's tunnel and its port forward keep working. The
 * reconciler is scoped to the one server this file creates.
 */

jest.setTimeout(300_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const FORWARD_PORT = 443;
const RESTARTS = 10;


interface NodeState {
  iptablesLines: number;
  ip6tablesLines: number;
  peers: string[];
}

describe('lab: control-plane restarts are idempotent on the node, and the tunnel outlives the app', () => {
  const ours = new Set<number>();
  const timings: Record<string, number | number[]> = {};
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let app: NestFastifyApplication | undefined;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let customer: { id: number; key: string };

  let subnetV4: string;
  let nodeId = 0;
  let serverId = 0;
  let assignmentId = 0;
  let userId = 0;
  let forwardId = 0;
  let userPublicKey: string;
  let clientIpv4: string;
  let before: NodeState;

  const as = (key: string) => apiAs(() => http, key);

  async function startApp(): Promise<void> {
    // A long interval: after a start, only the start's own full pass (or a wake) pushes.
    app = await startReconcilingTestApp({
      scope: (id) => ours.has(id),
      minPushGapMs: 200,
      backoff: { initialMs: 200, maxMs: 2_000 },
      intervalMs: 600_000,
      pollIntervalMs: 2_000,
    });
    http = app.getHttpServer();
  }

  async function closeApp(): Promise<void> {
    const closing = app;
    app = undefined;
    await closing?.close();
  }

  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const lineCount = async (save: 'iptables-save' | 'ip6tables-save') => Number((await nodeOut(['sh', '-c', `${save} | grep -c .`])).trim());
  const nodePeers = async () => parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey).sort();
  const nodeState = async (): Promise<NodeState> => ({
    iptablesLines: await lineCount('iptables-save'),
    ip6tablesLines: await lineCount('ip6tables-save'),
    peers: await nodePeers(),
  });
  const serverSync = async () => (await as(admin.key).get(`/api/admin/servers/${serverId}`).expect(200)).body.sync as { state: string; last_applied_at: string | null };

  async function deleteRows(): Promise<void> {
    const a = as(admin.key);
    const c = as(customer.key);
    if (forwardId) await c.del(`/api/wg/port-forwards/${forwardId}`);
    if (userId) await c.del(`/api/wg/users/${userId}`);
    if (assignmentId) await a.del(`/api/admin/assignments/${assignmentId}`).expect(200);
    if (serverId) await a.del(`/api/admin/servers/${serverId}`).expect(200);
    if (nodeId) await a.del(`/api/admin/nodes/${nodeId}`).expect(200);
    forwardId = userId = assignmentId = serverId = nodeId = 0;
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    subnetV4 = `10.68.${node.number}.0/24`;
    await startApp();
    admin = await makeAccount(app!, 'admin');
    customer = await makeAccount(app!, 'customer');
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`restarts lab timings, ms: ${JSON.stringify(timings)}`);
    try {
      if (serverId || nodeId) {
        if (!app) await startApp().catch(() => undefined);
        if (app) await deleteRows().catch(() => undefined);
      }
      await closeApp();
    } finally {
      ours.clear();
      await lab?.destroy();
    }
  });

  it('setup: node, server, assignment, user and a 443 forward go active; the client pings the server', async () => {
    const a = as(admin.key);
    const c = as(customer.key);
    const nodeRes = await a.post('/api/admin/nodes', {
      name: `lab-${lab!.id}-${node.name}-restarts`,
      transport: 'ssh',
      public_ipv4: node.publicIp,
      ssh: { host: node.sshHost, port: node.sshPort, username: node.username, private_key: node.privateKey, host_key: node.hostKey },
    });
    expect(nodeRes.status).toBe(201);
    nodeId = nodeRes.body.id;
    const serverRes = await a.post(`/api/admin/nodes/${nodeId}/servers`, {
      name: `Restarts ${lab!.id}`,
      location: 'Lab',
      interface: IFNAME,
      listen_port: LISTEN_PORT,
      ipv4_subnet: subnetV4,
      ipv6_subnet: `fd42:68:${node.number.toString(16)}::/64`,
      mtu: 1420,
      endpoint_host: node.clientLinkIp,
      port_forward_range: '400-500',
    });
    expect(serverRes.status).toBe(201);
    serverId = serverRes.body.id;
    ours.add(serverId);
    const assignmentRes = await a.post('/api/admin/assignments', { server_id: serverId, account_id: customer.id });
    expect(assignmentRes.status).toBe(201);
    assignmentId = assignmentRes.body.id;
    // The commit's wake came before the scope had the id, and the periodic interval is long: ask.
    expect((await a.post(`/api/admin/servers/${serverId}/reconcile`)).status).toBe(202);
    await waitFor('the server in sync', async () => (await serverSync()).state === 'in_sync', 20_000);

    const started = Date.now();
    const created = await c.post(`/api/wg/servers/${assignmentId}/users`, { client_name: 'restarts' });
    expect(created.status).toBe(201);
    userId = created.body.id;
    userPublicKey = created.body.public_key;
    clientIpv4 = created.body.client_ip;
    await lab!.startTcpEcho(client.netns, FORWARD_PORT);
    const fwd = await c.post(`/api/wg/users/${userId}/port-forwards`, {
      external_port: FORWARD_PORT,
      internal_port: FORWARD_PORT,
      protocol: 'tcp',
      comment: 'HTTPS',
    });
    expect(fwd.status).toBe(201);
    forwardId = fwd.body.id;

    await waitFor(
      'the user and the forward active',
      async () => {
        const user = (await c.get(`/api/wg/users/${userId}`).expect(200)).body;
        const list = (await c.get(`/api/wg/users/${userId}/port-forwards`).expect(200)).body.port_forwards;
        const forward = list.find((f: { id: number }) => f.id === forwardId);
        if (user.provisioning.state === 'error') throw new Error(`user provisioning error: ${user.provisioning.error}`);
        if (forward?.provisioning.state === 'error') throw new Error(`forward provisioning error: ${forward.provisioning.error}`);
        return user.provisioning.state === 'active' && forward?.provisioning.state === 'active';
      },
      20_000,
      50,
    );
    timings.userAndForwardActive = Date.now() - started;
    expect(await nodePeers()).toEqual([userPublicKey]);

    await client.bringUp(created.body.config);
    expect(await client.ping(serverAddress(subnetV4), 3, 2)).toMatchObject({ code: 0 });
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, FORWARD_PORT)).resolves.toBe(ECHO_BANNER);
  });

  it('counts the node state: iptables / ip6tables lines and wg0 peers', async () => {
    await waitFor('the server in sync', async () => (await serverSync()).state === 'in_sync', 10_000);
    before = await nodeState();
    console.log(`restarts: node state before restarts ${JSON.stringify({ ...before, peers: before.peers.length })}`);
    expect(before.peers).toEqual([userPublicKey]);
    expect(before.iptablesLines).toBeGreaterThan(0);
    expect(before.ip6tablesLines).toBeGreaterThan(0);
    const nat = await nodeOut(['iptables-save', '-t', 'nat']);
    expect(nat).toContain(`--to-destination ${clientIpv4}:${FORWARD_PORT}`);
  });

  it(`${RESTARTS} restarts on the same database: each start re-applies the server; the node state is unchanged`, async () => {
    const perRestart: number[] = [];
    for (let i = 1; i <= RESTARTS; i++) {
      const previous = (await serverSync()).last_applied_at;
      expect(previous).not.toBeNull();
      await closeApp();
      const started = Date.now();
      await startApp();
      // The start's full pass pushes the server again: last_applied_at moves past the previous one.
      const sync = await waitFor(
        `restart ${i}: the server re-applied by the start pass`,
        async () => {
          const s = await serverSync();
          return s.state === 'in_sync' && s.last_applied_at !== null && Date.parse(s.last_applied_at) > Date.parse(previous!) ? s : null;
        },
        20_000,
        50,
      );
      perRestart.push(Date.now() - started);
      expect(sync.state).toBe('in_sync');
      const health = (await as(admin.key).get(`/api/admin/nodes/${nodeId}`).expect(200)).body.health;
      expect(health).toMatchObject({ reachable: true, last_error: null });
      expect(await nodeState()).toEqual(before);
    }
    timings.startToReapplied = perRestart;
    const after = await nodeState();
    expect(after).toEqual(before);
    expect(after.peers).toEqual([userPublicKey]);
    const peer = parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.find((p) => p.publicKey === userPublicKey);
    expect(peer?.hasPresharedKey).toBe(true);
    expect(peer?.allowedIps).toEqual(expect.arrayContaining([`${clientIpv4}/32`]));
  });

  it('with the control plane stopped, the tunnel and the port forward still pass traffic', async () => {
    await closeApp();
    expect(app).toBeUndefined();
    const started = Date.now();
    await waitFor('a ping through the tunnel', async () => (await client.ping(serverAddress(subnetV4), 1, 1)).code === 0, 30_000, 0);
    timings.pingWithAppStopped = Date.now() - started;
    expect(await client.ping(serverAddress(subnetV4), 3, 2)).toMatchObject({ code: 0 });
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, FORWARD_PORT)).resolves.toBe(ECHO_BANNER);
    expect(await nodeState()).toEqual(before);
  });

  it('leaves nothing behind', async () => {
    await startApp();
    await deleteRows();
    await closeApp();
    ours.clear();
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
