import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseWgDump } from '@wgfleet/wireguard';
import { makeAccount } from '../support/test-app.js';
import { startReconcilingTestApp } from '../support/reconciling-test-app.js';
import { apiAs, nodeOutput, waitFor } from './api-lab.js';
import { Lab, type LabNode } from './lab.js';
import { SshdControl } from './sshd-control.js';

/**
 * Convergence without requests: the app's own reconciler (real SSH, real wireguard-go) brings nodes
 * to what Postgres wants after the node was down (backoff retry) and after someone edited the node by
 * hand (the periodic pass), and keeps two nodes' wg0s apart. Only GETs are sent while waiting. The
 * reconciler is scoped to the servers this file creates.
 */

jest.setTimeout(240_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const INTERVAL_MS = 2_000;


interface NodeUnderTest {
  lab: LabNode;
  control: SshdControl;
  nodeId: number;
  serverId: number;
  assignmentId: number;
  subnetV4: string;
}

describe('lab: the reconciler converges nodes with no request (node down, hand-made drift, two nodes)', () => {
  const ours = new Set<number>();
  const timings: Record<string, number> = {};
  const userIds: number[] = [];
  let lab: Lab | undefined;
  let app: NestFastifyApplication | undefined;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let customer: { id: number; key: string };
  const nodes: NodeUnderTest[] = [];
  const controls: SshdControl[] = [];
  /** Users on nodes[0] created while it was down: id → public key. */
  const downUsers = new Map<number, string>();

  const as = (key: string) => apiAs(() => http, key);

  const nodeOut = (n: NodeUnderTest, argv: string[]) => nodeOutput((a) => n.control.exec(a), n.lab.name, argv);
  const peersOf = async (n: NodeUnderTest) => parseWgDump(await nodeOut(n, ['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey).sort();
  const userState = async (id: number) => (await as(customer.key).get(`/api/wg/users/${id}`).expect(200)).body.provisioning.state as string;

  async function addNodeAndServer(labNode: LabNode, control: SshdControl): Promise<NodeUnderTest> {
    const a = as(admin.key);
    const subnetV4 = `10.67.${labNode.number}.0/24`;
    const nodeRes = await a.post('/api/admin/nodes', {
      name: `lab-${lab!.id}-${labNode.name}-conv`,
      transport: 'ssh',
      public_ipv4: labNode.publicIp,
      ssh: { host: labNode.sshHost, port: labNode.sshPort, username: labNode.username, private_key: labNode.privateKey, host_key: labNode.hostKey },
    });
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
    ours.add(n.serverId);
    const assignmentRes = await a.post('/api/admin/assignments', { server_id: n.serverId, account_id: customer.id });
    expect(assignmentRes.status).toBe(201);
    n.assignmentId = assignmentRes.body.id;
    // The periodic pass (INTERVAL_MS) picks the new id up: the commit's wake came before the scope had it.
    await waitFor('the server in sync', async () => (await a.get(`/api/admin/servers/${n.serverId}`)).body.sync?.state === 'in_sync', 20_000);
    expect(await peersOf(n)).toEqual([]);
    return n;
  }

  async function createUser(n: NodeUnderTest, name: string): Promise<{ id: number; publicKey: string; state: string }> {
    const res = await as(customer.key).post(`/api/wg/servers/${n.assignmentId}/users`, { client_name: name });
    expect(res.status).toBe(201);
    userIds.push(res.body.id);
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

  async function deleteRows(): Promise<void> {
    const c = as(customer.key);
    const a = as(admin.key);
    for (const id of userIds.splice(0)) await c.del(`/api/wg/users/${id}`);
    for (const n of nodes) {
      if (n.assignmentId) await a.del(`/api/admin/assignments/${n.assignmentId}`).expect(200);
      if (n.serverId) await a.del(`/api/admin/servers/${n.serverId}`).expect(200);
      if (n.nodeId) await a.del(`/api/admin/nodes/${n.nodeId}`).expect(200);
    }
    nodes.length = 0;
  }

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 2, clientsPerNode: 0, internet: false });
    for (const labNode of lab.nodes) controls.push(new SshdControl(labNode));
    app = await startReconcilingTestApp({
      scope: (id) => ours.has(id),
      minPushGapMs: 200,
      backoff: { initialMs: 200, maxMs: 2_000 },
      intervalMs: INTERVAL_MS,
      pollIntervalMs: 2_000,
    });
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    customer = await makeAccount(app, 'customer');
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`convergence lab timings, ms: ${JSON.stringify(timings)}`);
    try {
      for (const c of controls) if (!c.running) await c.start().catch(() => undefined);
      if (app) {
        await deleteRows().catch(() => undefined);
        await app.close();
      }
    } finally {
      ours.clear();
      for (const c of controls) await c.close().catch(() => undefined);
      await lab?.destroy();
    }
  });

  it('setup: node 1 with an empty wg0 in sync', async () => {
    await addNodeAndServer(lab!.nodes[0]!, controls[0]!);
    const health = (await as(admin.key).get(`/api/admin/nodes/${nodes[0]!.nodeId}`).expect(200)).body.health;
    expect(health).toMatchObject({ reachable: true, last_error: null });
  });

  it('node down: users are accepted as pending, the node reads unreachable; once sshd is back they go active with no request', async () => {
    const n = nodes[0]!;
    const a = as(admin.key);
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

    // Stay down a little longer than the backoff cap, so the retry schedule is really in play.
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
    await waitFor('the server in sync', async () => (await a.get(`/api/admin/servers/${n.serverId}`)).body.sync?.state === 'in_sync', 10_000);
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
    expect((await as(admin.key).get(`/api/admin/servers/${n2.serverId}`).expect(200)).body.public_key).toBe(key2);
  });

  it('leaves nothing behind', async () => {
    await deleteRows();
    await app!.close();
    app = undefined;
    const survivors = (await Promise.all(controls.map((c) => c.close()))).flat();
    expect(survivors).toEqual([]);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
