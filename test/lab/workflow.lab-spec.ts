import { existsSync } from 'node:fs';
import { parseWgDump, serverAddress } from '@wgfleet/wireguard';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi } from './api-process-lab.js';
import { ECHO_BANNER, Lab, type LabClient, type LabNode } from './lab.js';
import { createCustomer, labNodeRequest, serverSync } from './lab-fleet.js';

/**
 * The portal's Full workflow, end to end, against the API started as the README says (a real
 * `node dist/apps/api/src/main.js` on its own embedded PostgreSQL, reconciler on): an admin whose key
 * came from `cli.js bootstrap-admin` adds a lab node (a namespace with sshd) and a server, a customer
 * creates a user and a port forward, and the process's reconciler pushes them over real SSH to real
 * WireGuard (wireguard-go) and iptables. The client namespace brings up exactly the config the API
 * returned; the internet namespace reaches a service on the client through the forward.
 */

jest.setTimeout(180_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;
const FORWARD_PORT = 443;
// Long enough that the periodic pass cannot be what repairs the drift below within seconds of the
// last apply (it re-pushes only servers not applied for this long): the admin's reconcile must.
const RECONCILE_INTERVAL_MS = 60_000;
// The poller's floor: status (online, rx/tx) shows up within about a second.
const POLL_INTERVAL_MS = 1_000;

describe('lab: the Full workflow through the HTTP API, on real WireGuard over real SSH', () => {
  const timings: Record<string, number> = {};
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let api: LabApi | undefined;
  let admin: { key: string };
  let customer: { id: number; key: string };

  let subnetV4: string;
  let subnetV6: string;
  let nodeId: number;
  let serverId: number;
  let assignmentId: number;
  let userId: number;
  let userPublicKey: string;
  let clientIpv4: string;
  let forwardId: number;

  const as = (key: string) => api!.as(key);

  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const nodePeers = async () => parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.map((p) => p.publicKey);
  const dnatRules = async () =>
    (await nodeOut(['iptables-save', '-t', 'nat'])).split('\n').filter((l) => l.startsWith('-A') && l.includes('DNAT') && l.includes(`--dport ${FORWARD_PORT}`));

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: true });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    // Tunnel subnets live inside the lab's namespaces only; per node number so parallel labs differ.
    subnetV4 = `10.66.${node.number}.0/24`;
    subnetV6 = `fd42:66:${node.number.toString(16)}::/64`;
    const started = Date.now();
    api = await LabApi.start({ reconcileIntervalMs: RECONCILE_INTERVAL_MS, pollIntervalMs: POLL_INTERVAL_MS });
    timings.apiStartAndBootstrapAdmin = Date.now() - started;
    admin = { key: api.adminKey };
    customer = await createCustomer(as(admin.key), `workflow-${lab.id}`);
  });

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`workflow lab timings, ms: ${JSON.stringify(timings)}`);
    // The database is this file's own: it goes with its DATA_DIR, no rows to delete.
    try {
      await api?.destroy();
    } finally {
      await lab?.destroy();
    }
  });

  it('step 0: the admin adds the lab node, a server on it, and assigns it to a customer', async () => {
    const a = as(admin.key);
    const nodeRes = await a.post('/api/admin/nodes', labNodeRequest(lab!.id, node, 'workflow'));
    expect(nodeRes.status).toBe(201);
    expect(nodeRes.body).toMatchObject({ transport: 'ssh', public_ipv4: node.publicIp, ssh: { host: node.sshHost, username: 'root' } });
    expect(JSON.stringify(nodeRes.body)).not.toContain('PRIVATE KEY');
    nodeId = nodeRes.body.id;

    const serverRes = await a.post(`/api/admin/nodes/${nodeId}/servers`, {
      name: `Lab ${lab!.id}`,
      location: 'Lab',
      interface: IFNAME,
      listen_port: LISTEN_PORT,
      ipv4_subnet: subnetV4,
      ipv6_subnet: subnetV6,
      mtu: 1420,
      endpoint_host: node.clientLinkIp,
      port_forward_range: '400-500',
    });
    expect(serverRes.status).toBe(201);
    serverId = serverRes.body.id;
    expect(serverRes.body).toMatchObject({ endpoint: `${node.clientLinkIp}:${LISTEN_PORT}`, port_forward_range: '400-500', ipv4_subnet: subnetV4 });

    const assignmentRes = await a.post('/api/admin/assignments', { server_id: serverId, account_id: customer.id });
    expect(assignmentRes.status).toBe(201);
    assignmentId = assignmentRes.body.id;

    // The create's commit wakes the reconciler (the periodic pass is a minute away): the empty interface comes up.
    const started = Date.now();
    await waitFor('the server in sync', async () => (await serverSync(a, serverId)).state === 'in_sync', 20_000, 50);
    timings.serverInSync = Date.now() - started;
    const dump = parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump']));
    expect(dump.interface).toMatchObject({ publicKey: serverRes.body.public_key, listenPort: LISTEN_PORT });
    expect(dump.peers).toEqual([]);
    const node2 = await a.get(`/api/admin/nodes/${nodeId}`);
    expect(node2.body.health).toMatchObject({ reachable: true, last_error: null });
  });

  it('step 1: the customer sees the server', async () => {
    const res = await as(customer.key).get('/api/wg/servers').expect(200);
    const mine = res.body.servers.find((s: { assignment_id: number }) => s.assignment_id === assignmentId);
    expect(mine).toMatchObject({ endpoint: `${node.clientLinkIp}:${LISTEN_PORT}`, ipv4_subnet: subnetV4, ipv6_subnet: subnetV6, users_count: 0 });
  });

  it('step 2: creates a user that becomes active on the node; the client brings up the returned config and pings the server', async () => {
    const c = as(customer.key);
    const started = Date.now();
    const created = await c.post(`/api/wg/servers/${assignmentId}/users`, { client_name: 'web-server' });
    expect(created.status).toBe(201);
    expect(typeof created.body.config).toBe('string');
    userId = created.body.id;
    userPublicKey = created.body.public_key;
    clientIpv4 = created.body.client_ip;

    const active = await waitFor(
      'the user active',
      async () => {
        const body = (await c.get(`/api/wg/users/${userId}`).expect(200)).body;
        if (body.provisioning.state === 'error') throw new Error(`provisioning error: ${body.provisioning.error}`);
        return body.provisioning.state === 'active' ? body : null;
      },
      20_000,
      50,
    );
    timings.userCreateToActive = Date.now() - started;
    expect(active.config).toBe(created.body.config);
    expect(await nodePeers()).toEqual([userPublicKey]);

    await client.bringUp(created.body.config);
    expect(await client.ping(serverAddress(subnetV4), 3, 2)).toMatchObject({ code: 0 });
    expect(await client.ping(serverAddress(subnetV6), 3, 2)).toMatchObject({ code: 0 });
  });

  it('step 3: a port forward reaches a service on the client from the internet', async () => {
    const c = as(customer.key);
    await lab!.startTcpEcho(client.netns, FORWARD_PORT);
    const started = Date.now();
    const created = await c.post(`/api/wg/users/${userId}/port-forwards`, {
      external_port: FORWARD_PORT,
      internal_port: FORWARD_PORT,
      protocol: 'tcp',
      comment: 'HTTPS',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ public_ip: node.publicIp, external_port: FORWARD_PORT, internal_port: FORWARD_PORT, protocol: 'tcp' });
    forwardId = created.body.id;

    await waitFor(
      'the forward active',
      async () => {
        const list = (await c.get(`/api/wg/users/${userId}/port-forwards`).expect(200)).body.port_forwards;
        const mine = list.find((f: { id: number }) => f.id === forwardId);
        if (mine?.provisioning.state === 'error') throw new Error(`provisioning error: ${mine.provisioning.error}`);
        return mine?.provisioning.state === 'active';
      },
      20_000,
      50,
    );
    timings.forwardCreateToActive = Date.now() - started;
    expect((await dnatRules()).some((l) => l.includes(`--to-destination ${clientIpv4}:${FORWARD_PORT}`))).toBe(true);
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, FORWARD_PORT)).resolves.toBe(ECHO_BANNER);
  });

  it('step 4: status shows the interface up, the server in sync and the user online with traffic', async () => {
    const c = as(customer.key);
    // Keep some traffic flowing so the counters move between polls.
    await client.ping(serverAddress(subnetV4), 2, 2);
    const started = Date.now();
    const status = await waitFor(
      'the user online with traffic in /status',
      async () => {
        const body = (await c.get(`/api/wg/servers/${assignmentId}/status`).expect(200)).body;
        const user = body.users.find((u: { id: number }) => u.id === userId);
        return user?.online === true && user.rx_bytes > 0 && user.tx_bytes > 0 ? body : null;
      },
      30_000,
      250,
    );
    timings.statusOnline = Date.now() - started;
    expect(status.server).toMatchObject({ assignment_id: assignmentId, interface: 'up', sync: { state: 'in_sync', last_error: null } });
    expect(status.server.polled_at).not.toBeNull();
    const user = status.users.find((u: { id: number }) => u.id === userId);
    expect(user).toMatchObject({ client_name: 'web-server', public_key: userPublicKey, online: true });
    expect(user.last_seen).not.toBeNull();
    expect(user.endpoint).toMatch(new RegExp(`^${client.ip.replaceAll('.', '\\.')}:\\d+$`));
  });

  it('drift: a peer removed by hand on the node is put back by POST /api/admin/servers/{id}/reconcile', async () => {
    await nodeOut(['wg', 'set', IFNAME, 'peer', userPublicKey, 'remove']);
    expect(await nodePeers()).toEqual([]);
    const started = Date.now();
    const res = await as(admin.key).post(`/api/admin/servers/${serverId}/reconcile`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ server_id: serverId });
    await waitFor('the peer back on the node', async () => (await nodePeers()).includes(userPublicKey), 10_000, 50);
    timings.driftRepair = Date.now() - started;
    const peer = parseWgDump(await nodeOut(['wg', 'show', IFNAME, 'dump'])).peers.find((p) => p.publicKey === userPublicKey);
    expect(peer?.hasPresharedKey).toBe(true);
    expect(peer?.allowedIps).toEqual(expect.arrayContaining([`${clientIpv4}/32`]));
    // The re-added peer has no session: the client's old keys are refused until it re-handshakes, which
    // WireGuard does on its own after ~15 s of unanswered traffic (REKEY_TIMEOUT + KEEPALIVE_TIMEOUT).
    const pingStarted = Date.now();
    await waitFor('the tunnel working again', async () => (await client.ping(serverAddress(subnetV4), 1, 1)).code === 0, 40_000, 0);
    timings.driftTunnelBack = Date.now() - pingStarted;
  });

  it('step 5: deleting the forward and the user removes the DNAT rule and the peer from the node', async () => {
    const c = as(customer.key);
    const started = Date.now();
    const delForward = await c.del(`/api/wg/port-forwards/${forwardId}`);
    expect(delForward.status).toBe(200);
    expect(delForward.body).toEqual({ id: forwardId, deleted: true });
    await waitFor('the DNAT rule gone', async () => (await dnatRules()).length === 0, 20_000, 50);
    timings.forwardDeleteToGone = Date.now() - started;
    await expect(lab!.tcpConnect(lab!.internet!.netns, node.publicIp, FORWARD_PORT)).rejects.toThrow();

    const startedUser = Date.now();
    const delUser = await c.del(`/api/wg/users/${userId}`);
    expect(delUser.status).toBe(200);
    expect(delUser.body).toEqual({ id: userId, deleted: true });
    await waitFor('the peer gone', async () => (await nodePeers()).length === 0, 20_000, 50);
    timings.userDeleteToGone = Date.now() - startedUser;
    await c.get(`/api/wg/users/${userId}`).expect(404);
    // The push goes on after `wg syncconf` (the file, then the rules): in sync means all of it is done.
    await waitFor('the server in sync', async () => (await serverSync(as(admin.key), serverId)).state === 'in_sync', 10_000);
    expect(await nodeOut(['cat', `/etc/wireguard/${IFNAME}.conf`])).not.toContain(userPublicKey);
  });

  it('deleting the assignment and the server takes the interface, its rules and its file off the node', async () => {
    const a = as(admin.key);
    await a.del(`/api/admin/assignments/${assignmentId}`).expect(200);
    const started = Date.now();
    await a.del(`/api/admin/servers/${serverId}`).expect(200);
    await waitFor('the interface gone', async () => (await node.exec(['ip', 'link', 'show', 'dev', IFNAME])).code !== 0, 20_000, 50);
    timings.serverDeleteToInterfaceGone = Date.now() - started;
    const ours = (save: string) => save.split('\n').filter((l) => l.includes(`WGF-`) && l.includes(IFNAME));
    expect(ours(await nodeOut(['iptables-save']))).toEqual([]);
    expect(ours(await nodeOut(['ip6tables-save']))).toEqual([]);
    expect(await nodeOut(['ls', '-A', '/etc/wireguard'])).toBe('');
  });

  it('stops as the README says (SIGTERM: the API, then its PostgreSQL) and leaves nothing behind', async () => {
    const postgresPid = api!.postgresPid;
    expect(postgresPid).not.toBeNull();
    expect(await api!.stop()).toBe(0);
    expect(api!.isPostgresAlive()).toBe(false);
    expect(await api!.destroy()).toEqual([]);
    expect(existsSync(api!.dataDir)).toBe(false);
    await lab!.destroy();
    expect(await lab!.leftovers()).toEqual([]);
  });
});
