import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseWgDump } from '@wgfleet/wireguard';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi } from './api-process-lab.js';
import { Lab, type LabNode } from './lab.js';
import { createCustomer, labNodeRequest, serverSync } from './lab-fleet.js';
import { SshdControl } from './sshd-control.js';

/**
 * Convergence without requests: the reconciler of the API started as the README says (a real
 * `node dist/apps/api/src/main.js` on its own embedded PostgreSQL; real SSH, real wireguard-go)
 * brings nodes to what Postgres wants after the node was down (backoff retry) and after someone
 * edited the node by hand (the periodic pass), and keeps two nodes' wg0s apart. Only GETs are sent
 * while waiting. The database is this file's own, so the reconciler runs unscoped, as in production.
 * The push gap and the backoff are the product's defaults (1 s; 1 s doubling up to 60 s): they have
 * no environment variable.
 */

jest.setTimeout(240_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
// RECONCILE_INTERVAL_MS: the periodic pass that repairs the hand-made drift below.
const INTERVAL_MS = 2_000;
const POLL_INTERVAL_MS = 2_000;

interface NodeUnderTest {
  lab: LabNode;
  control: SshdControl;
  nodeId: number;
  serverId: number;
  assignmentId: number;
  subnetV4: string;
}

describe('lab: the reconciler converges nodes with no request (node down, hand-made drift, two nodes)', () => {
  const timings: Record<string, number> = {};
  let lab: Lab | undefined;
  let api: LabApi | undefined;
  let adminKey: string;
  let customer: { id: number; key: string };
  const nodes: NodeUnderTest[] = [];
  const controls: SshdControl[] = [];
  /** Users on nodes[0] created while it was down: id → public key. */
  const downUsers = new Map<number, string>();

  const as = (key: string) => api!.as(key);

  const nodeOut = (n: NodeUnderTest, argv: string[]) => nodeOutput((a) => n.control.exec(a), n.lab.name, argv);
  const peersOf = async (n: NodeUnderTest) => parseWgDump(await nodeOut(n, ['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey).sort();
  const userState = async (id: number) => (await as(customer.key).get(`/api/wg/users/${id}`).expect(200)).body.provisioning.state as string;

  async function addNodeAndServer(labNode: LabNode, control: SshdControl): Promise<NodeUnderTest> {
    const a = as(adminKey);
    const subnetV4 = `10.67.${labNode.number}.0/24`;
    const nodeRes = await a.post('/api/admin/nodes', labNodeRequest(lab!.id, labNode, 'conv'));
    expect(nodeRes.status).toBe(201);
    const n: NodeUnderTest = { lab: labNode, control, nodeId: nodeRes.body.id, serverId: 0, assignmentId: 0, subnetV4 };
    nodes.push(n);
    const serverRes = await a.post(`/api/admin/nodes/${n.nodeId}/servers`, {
      name: `Conv ${lab!.id} ${labNode.name}`,
      location: 'Lab',
      interface: IFNAME,
      listen_port: LISTEN_PORT,
      ipv4_subnet: subnetV4,
      ipv6_subnet: `fd42:67:${labNode.number.toString(16)}::/64`,
      mtu: 1420,
      endpoint_host: labNode.clientLinkIp,
    });
    expect(serverRes.status).toBe(201);
    n.serverId = serverRes.body.id;
    const assignmentRes = await a.post('/api/admin/assignments', { server_id: n.serverId, account_id: customer.id });
    expect(assignmentRes.status).toBe(201);
    n.assignmentId = assignmentRes.body.id;
    // The create's commit wakes the reconciler: the empty interface comes up with no further request.
    await waitFor('the server in sync', async () => (await serverSync(a, n.serverId)).state === 'in_sync', 20_000);
    expect(await peersOf(n)).toEqual([]);
    return n;
  }

  async function createUser(n: NodeUnderTest, name: string): Promise<{ id: number; publicKey: string; state: string }> {
    const res = await as(customer.key).post(`/api/wg/servers/${n.assignmentId}/users`, { client_name: name });
    expect(res.status).toBe(201);
    return { id: res.body.id, publicKey: res.body.public_key, state: res.body.provisioning?.state };
  }

  async function waitActive(ids: number[], timeoutMs: number): Promise<void> {
    await waitFor(
      `users ${ids.join(',')} active`,
      async () => {
        const states = await Promise.all(ids.map(userState));
        return states.every((s) => s === 'active');
      },
      timeoutMs,
      100,
    );
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 2, clientsPerNode: 0, internet: false });
    for (const labNode of lab.nodes) controls.push(new SshdControl(labNode));
    const started = Date.now();
    api = await LabApi.start({ reconcileIntervalMs: INTERVAL_MS, pollIntervalMs: POLL_INTERVAL_MS });
    timings.apiStartAndBootstrapAdmin = Date.now() - started;
    adminKey = api.adminKey;
    customer = await createCustomer(as(adminKey), `convergence-${lab.id}`);
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`convergence lab timings, ms: ${JSON.stringify(timings)}`);
    // The database is this file's own: it goes with its DATA_DIR, no rows to delete.
    try {
      for (const c of controls) if (!c.running) await c.start().catch(() => undefined);
      await api?.destroy();
    } finally {
      for (const c of controls) await c.close().catch(() => undefined);
      await lab?.destroy();
    }
  });

  it('setup: node 1 with an empty wg0 in sync', async () => {
    await addNodeAndServer(lab!.nodes[0]!, controls[0]!);
    const health = (await as(adminKey).get(`/api/admin/nodes/${nodes[0]!.nodeId}`).expect(200)).body.health;
    expect(health).toMatchObject({ reachable: true, last_error: null });
  });

  it('node down: users are accepted as pending, the node reads unreachable; once sshd is back they go active with no request', async () => {
    const n = nodes[0]!;
    const a = as(adminKey);
    const keyBefore = parseWgDump(await nodeOut(n, ['wg', 'show', IFNAME, 'dump'])).interface.publicKey;
    await n.control.stop();
    expect(n.control.running).toBe(false);

    for (const name of ['down-1', 'down-2', 'down-3']) {
      const u = await createUser(n, name);
      expect(u.state).toBe('pending');
      downUsers.set(u.id, u.publicKey);
    }

    const started = Date.now();
    const health = await waitFor(
      'the node unreachable',
      async () => {
        const body = (await a.get(`/api/admin/nodes/${n.nodeId}`).expect(200)).body;
        return body.health?.reachable === false ? body.health : null;
      },
      15_000,
      100,
    );
    timings.nodeReadsUnreachable = Date.now() - started;
    expect(typeof health.last_error).toBe('string');
    const server = (await a.get(`/api/admin/servers/${n.serverId}`).expect(200)).body;
    expect(['error', 'pending']).toContain(server.sync.state);
    console.log(`node down: health ${JSON.stringify(health)}; server sync ${JSON.stringify(server.sync)}`);
    for (const id of downUsers.keys()) expect(await userState(id)).toBe('pending');

    // Stay down for a few more seconds, so the retry schedule (1 s, 2 s, 4 s … by default) is really in play.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    for (const id of downUsers.keys()) expect(await userState(id)).toBe('pending');

    await n.control.start();
    const back = Date.now();
    await waitActive([...downUsers.keys()], 30_000);
    timings.sshdBackToAllActive = Date.now() - back;
    expect(await peersOf(n)).toEqual([...downUsers.values()].sort());
    // The same wg0 (same wireguard-go, same mount namespace) kept running through the outage.
    expect(parseWgDump(await nodeOut(n, ['wg', 'show', IFNAME, 'dump'])).interface.publicKey).toBe(keyBefore);
    await waitFor('the node reachable again', async () => (await a.get(`/api/admin/nodes/${n.nodeId}`)).body.health?.reachable === true, 10_000);
    await waitFor('the server in sync', async () => (await serverSync(a, n.serverId)).state === 'in_sync', 10_000);
  });

  it('drift by hand: a foreign peer added and one of ours removed on the node are undone by the periodic pass', async () => {
    const n = nodes[0]!;
    const foreign = randomBytes(32).toString('base64');
    const [removedId, removedKey] = [...downUsers.entries()][0]!;
    const foreignIp = n.subnetV4.replace(/0\/24$/, '250/32');
    await nodeOut(n, ['wg', 'set', IFNAME, 'peer', foreign, 'allowed-ips', foreignIp]);
    await nodeOut(n, ['wg', 'set', IFNAME, 'peer', removedKey, 'remove']);
    const drifted = await peersOf(n);
    expect(drifted).toContain(foreign);
    expect(drifted).not.toContain(removedKey);

    const started = Date.now();
    const expected = [...downUsers.values()].sort();
    await waitFor('the node back to exactly our peers', async () => JSON.stringify(await peersOf(n)) === JSON.stringify(expected), 4 * INTERVAL_MS + 10_000, 100);
    timings.driftRepairedByPeriodicPass = Date.now() - started;
    expect(await userState(removedId)).toBe('active');
    const dump = parseWgDump(await nodeOut(n, ['wg', 'show', IFNAME, 'dump']));
    expect(dump.peers.find((p) => p.publicKey === removedKey)?.hasPresharedKey).toBe(true);
  });

  it('two nodes, one control plane: each user appears only on its own node', async () => {
    const n1 = nodes[0]!;
    const n2 = await addNodeAndServer(lab!.nodes[1]!, controls[1]!);
    const u1 = await createUser(n1, 'two-1');
    const u2a = await createUser(n2, 'two-2a');
    const u2b = await createUser(n2, 'two-2b');
    const started = Date.now();
    await waitActive([u1.id, u2a.id, u2b.id], 20_000);
    timings.twoNodesAllActive = Date.now() - started;
    expect(await peersOf(n1)).toEqual([...downUsers.values(), u1.publicKey].sort());
    expect(await peersOf(n2)).toEqual([u2a.publicKey, u2b.publicKey].sort());
    // Two different wg0s: different interface keys, each the one its server reports.
    const key1 = parseWgDump(await nodeOut(n1, ['wg', 'show', IFNAME, 'dump'])).interface.publicKey;
    const key2 = parseWgDump(await nodeOut(n2, ['wg', 'show', IFNAME, 'dump'])).interface.publicKey;
    expect(key1).not.toBe(key2);
    expect((await as(adminKey).get(`/api/admin/servers/${n2.serverId}`).expect(200)).body.public_key).toBe(key2);
  });

  it('stops as the README says (SIGTERM: the API, then its PostgreSQL) and leaves nothing behind', async () => {
    expect(await api!.stop()).toBe(0);
    expect(api!.isPostgresAlive()).toBe(false);
    expect(await api!.destroy()).toEqual([]);
    expect(existsSync(api!.dataDir)).toBe(false);
    const survivors = (await Promise.all(controls.map((c) => c.close()))).flat();
    expect(survivors).toEqual([]);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
