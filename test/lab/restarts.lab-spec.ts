import { existsSync } from 'node:fs';
import { parseWgDump, serverAddress } from '@wgfleet/wireguard';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi } from './api-process-lab.js';
import { ECHO_BANNER, Lab, type LabClient, type LabNode } from './lab.js';
import { createCustomer, labNodeRequest, serverSync } from './lab-fleet.js';

/**
 * Restarts of the control plane are harmless to the data plane. The API runs as the README starts
 * it (`node dist/apps/api/src/main.js` on its own embedded PostgreSQL under a temp DATA_DIR) and is
 * restarted as the README stops it: SIGTERM (exit 0; the API, then its PostgreSQL), then a start on
 * the same DATA_DIR. Each start reconciles every server (a full apply), and ten such starts leave
 * the node's firewall and WireGuard state exactly as they were (apply is idempotent: no duplicated
 * rules, no lost peer). With the API process stopped, the client's tunnel and its port forward keep
 * working. The database is this file's own, so the reconciler runs unscoped, as in production.
 */

jest.setTimeout(300_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const FORWARD_PORT = 443;
const RESTARTS = 10;
// A long interval: after a start, only the start's own full pass (or a wake) pushes.
const RECONCILE_INTERVAL_MS = 600_000;
const POLL_INTERVAL_MS = 2_000;

interface NodeState {
  iptablesLines: number;
  ip6tablesLines: number;
  peers: string[];
}

describe('lab: control-plane restarts are idempotent on the node, and the tunnel outlives the API process', () => {
  const timings: Record<string, number | number[]> = {};
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let api: LabApi | undefined;
  let adminKey: string;
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

  const as = (key: string) => api!.as(key);

  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const lineCount = async (save: 'iptables-save' | 'ip6tables-save') => Number((await nodeOut(['sh', '-c', `${save} | grep -c .`])).trim());
  const nodePeers = async () => parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey).sort();
  const nodeState = async (): Promise<NodeState> => ({
    iptablesLines: await lineCount('iptables-save'),
    ip6tablesLines: await lineCount('ip6tables-save'),
    peers: await nodePeers(),
  });
  const sync = () => serverSync(as(adminKey), serverId);

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    subnetV4 = `10.68.${node.number}.0/24`;
    const started = Date.now();
    api = await LabApi.start({ reconcileIntervalMs: RECONCILE_INTERVAL_MS, pollIntervalMs: POLL_INTERVAL_MS });
    timings.apiStartAndBootstrapAdmin = Date.now() - started;
    adminKey = api.adminKey;
    customer = await createCustomer(as(adminKey), `restarts-${lab.id}`);
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`restarts lab timings, ms: ${JSON.stringify(timings)}`);
    // The database is this file's own: it goes with its DATA_DIR, no rows to delete.
    try {
      await api?.destroy();
    } finally {
      await lab?.destroy();
    }
  });

  it('setup: node, server, assignment, user and a 443 forward go active; the client pings the server', async () => {
    const a = as(adminKey);
    const c = as(customer.key);
    const nodeRes = await a.post('/api/admin/nodes', labNodeRequest(lab!.id, node, 'restarts'));
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
    const assignmentRes = await a.post('/api/admin/assignments', { server_id: serverId, account_id: customer.id });
    expect(assignmentRes.status).toBe(201);
    assignmentId = assignmentRes.body.id;
    // The create's commit wakes the reconciler (the periodic pass is ten minutes away): no request needed.
    await waitFor('the server in sync', async () => (await sync()).state === 'in_sync', 20_000);

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
    await waitFor('the server in sync', async () => (await sync()).state === 'in_sync', 10_000);
    before = await nodeState();
    console.log(`restarts: node state before restarts ${JSON.stringify({ ...before, peers: before.peers.length })}`);
    expect(before.peers).toEqual([userPublicKey]);
    expect(before.iptablesLines).toBeGreaterThan(0);
    expect(before.ip6tablesLines).toBeGreaterThan(0);
    const nat = await nodeOut(['iptables-save', '-t', 'nat']);
    expect(nat).toContain(`--to-destination ${clientIpv4}:${FORWARD_PORT}`);
  });

  it(`${RESTARTS} restarts of the API process on the same DATA_DIR: each start re-applies the server; the node state is unchanged`, async () => {
    const perRestart: number[] = [];
    const pids = new Set<number>([api!.current.pid]);
    for (let i = 1; i <= RESTARTS; i++) {
      const previous = (await sync()).last_applied_at;
      expect(previous).not.toBeNull();
      // The README's stop: SIGTERM, a clean exit, and the PostgreSQL it started goes with it.
      expect(await api!.stop()).toBe(0);
      expect(api!.isPostgresAlive()).toBe(false);
      const started = Date.now();
      await api!.startProcess();
      // A fresh cluster (the stop took the last one down), tracked so the next stop can be checked.
      expect(api!.isPostgresAlive()).toBe(true);
      expect(pids.has(api!.current.pid)).toBe(false);
      pids.add(api!.current.pid);
      // The start's full pass pushes the server again: last_applied_at moves past the previous one.
      const s = await waitFor(
        `restart ${i}: the server re-applied by the start pass`,
        async () => {
          const now = await sync();
          return now.state === 'in_sync' && now.last_applied_at !== null && Date.parse(now.last_applied_at) > Date.parse(previous!) ? now : null;
        },
        20_000,
        50,
      );
      perRestart.push(Date.now() - started);
      expect(s.state).toBe('in_sync');
      const health = (await as(adminKey).get(`/api/admin/nodes/${nodeId}`).expect(200)).body.health;
      expect(health).toMatchObject({ reachable: true, last_error: null });
      expect(await nodeState()).toEqual(before);
    }
    timings.startToReapplied = perRestart;
    expect(pids.size).toBe(RESTARTS + 1);
    const after = await nodeState();
    expect(after).toEqual(before);
    expect(after.peers).toEqual([userPublicKey]);
    const peer = parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.find((p) => p.publicKey === userPublicKey);
    expect(peer?.hasPresharedKey).toBe(true);
    expect(peer?.allowedIps).toEqual(expect.arrayContaining([`${clientIpv4}/32`]));
  });

  it('with the control plane stopped (the API process and its PostgreSQL), the tunnel and the port forward still pass traffic', async () => {
    expect(await api!.stop()).toBe(0);
    expect(api!.isPostgresAlive()).toBe(false);
    await expect(api!.as(adminKey).get('/ready')).rejects.toThrow();
    const started = Date.now();
    await waitFor('a ping through the tunnel', async () => (await client.ping(serverAddress(subnetV4), 1, 1)).code === 0, 30_000, 0);
    timings.pingWithAppStopped = Date.now() - started;
    expect(await client.ping(serverAddress(subnetV4), 3, 2)).toMatchObject({ code: 0 });
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, FORWARD_PORT)).resolves.toBe(ECHO_BANNER);
    expect(await nodeState()).toEqual(before);
  });

  it('leaves nothing behind: the API processes, their PostgreSQL, DATA_DIR and the lab', async () => {
    expect(await api!.destroy()).toEqual([]);
    expect(existsSync(api!.dataDir)).toBe(false);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
