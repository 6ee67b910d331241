import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serverAddress } from '@wgfleet/wireguard';
import { parseExposition, sampleValue, type Sample } from '../support/metrics-text.js';
import { findSecrets } from '../support/secret-scan.js';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi } from './api-process-lab.js';
import { createCustomer, labNodeRequest, serverSync } from './lab-fleet.js';
import { Lab, type LabClient, type LabNode } from './lab.js';

/**
 * Operations on the real thing: the API started as the README says (logging at trace, METRICS_TOKEN
 * set) runs a short workflow against a lab node over real SSH — a user pushed, the client pinging
 * through it, 404/422/429s — then /metrics shows every series with the workflow's values, and the
 * process's whole output plus any log file under DATA_DIR hold none of the run's secrets.
 */

jest.setTimeout(180_000);

const METRICS_TOKEN = 'lab-metrics-token-0123456789abcdef';
const RATE_LIMIT = 300;
const AUTH_FAILURES = 3;

describe('lab: /metrics after a workflow, and logs without secrets', () => {
  let lab: Lab | undefined;
  let api: LabApi | undefined;
  let node: LabNode;
  let client: LabClient;
  const secrets = new Set<string>([METRICS_TOKEN]);

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: false });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    api = await LabApi.start({
      reconcileIntervalMs: 60_000,
      pollIntervalMs: 1_000,
      env: { LOG_LEVEL: 'trace', METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT), AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES) },
    });
  });

  afterAll(async () => {
    try {
      await api?.destroy();
    } finally {
      await lab?.destroy();
    }
  });

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    const res = await api!.as(METRICS_TOKEN).get('/metrics').expect(200);
    return { text: res.text, samples: parseExposition(res.text) };
  };

  it('shows the workflow in /metrics and writes no secret to its output or log files', async () => {
    const admin = api!.as(api!.adminKey);
    secrets.add(api!.adminKey);
    secrets.add(node.privateKey);
    const customer = await createCustomer(admin, `observability-${lab!.id}`);
    secrets.add(customer.key);

    const nodeRes = await admin.post('/api/admin/nodes', labNodeRequest(lab!.id, node, 'observability')).expect(201);
    const subnetV4 = `10.67.${node.number}.0/24`;
    const serverRes = await admin
      .post(`/api/admin/nodes/${nodeRes.body.id}/servers`, { name: `Obs ${lab!.id}`, location: 'Lab', interface: 'wg0', listen_port: 51820, ipv4_subnet: subnetV4, endpoint_host: node.clientLinkIp })
      .expect(201);
    const serverId: number = serverRes.body.id;
    const assignment = await admin.post('/api/admin/assignments', { server_id: serverId, account_id: customer.id }).expect(201);

    // A user pushed over SSH, brought up by the client, pinging the server through the tunnel.
    const c = api!.as(customer.key);
    const created = await c.post(`/api/wg/servers/${assignment.body.id}/users`, { client_name: 'observed' }).expect(201);
    for (const [, value] of (created.body.config as string).matchAll(/(?:PrivateKey|PresharedKey) = (\S+)/g)) secrets.add(value!);
    await waitFor('the user active', async () => (await c.get(`/api/wg/users/${created.body.id}`).expect(200)).body.provisioning.state === 'active', 20_000, 100);
    secrets.add((await nodeOutput((argv) => node.exec(argv), 'the node', ['wg', 'show', 'wg0', 'private-key'])).trim());
    await client.bringUp(created.body.config);
    expect(await client.ping(serverAddress(subnetV4), 3, 2)).toMatchObject({ code: 0 });

    // Refusals: a 404, a 422, the per-key limit and the failed-authentication limit.
    await c.get('/api/wg/users/999999999').expect(404);
    await c.post(`/api/wg/servers/${assignment.body.id}/users`, { client_name: '' }).expect(422);
    const spare = await c.post('/api/wg/api-keys', { name: 'hammered' }).expect(201);
    secrets.add(spare.body.key);
    const hammered = api!.as(spare.body.key);
    for (let i = 0; i < RATE_LIMIT; i += 1) await hammered.get('/api/wg/servers').expect(200);
    await hammered.get('/api/wg/servers').expect(429);
    for (let i = 0; i < AUTH_FAILURES; i += 1) await api!.as('wg_wrong').get('/api/wg/servers').expect(401);
    await api!.as('wg_wrong').get('/api/wg/servers').expect(429);
    await api!.as('not-the-token').get('/metrics').expect(401);

    // The poller's view reaches the gauge once the handshake is polled (every second here).
    await waitFor('the peer online in /metrics', async () => sampleValue((await scrape()).samples, 'wgfleet_peers_online', { server_id: serverId }) === 1, 30_000, 500);
    expect((await serverSync(admin, serverId)).state).toBe('in_sync');
    const { text, samples } = await scrape();
    const count = (labels: Record<string, string | number>) => sampleValue(samples, 'wgfleet_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/api/wg/servers', status: 200 })).toBeGreaterThanOrEqual(RATE_LIMIT);
    expect(count({ method: 'GET', route: '/api/wg/servers', status: 429 })).toBe(2);
    expect(count({ method: 'GET', route: '/api/wg/users/:id', status: 404 })).toBe(1);
    expect(count({ method: 'POST', route: '/api/wg/servers/:id/users', status: 422 })).toBe(1);
    expect(count({ method: 'GET', route: '/metrics', status: 401 })).toBe(1);
    expect(sampleValue(samples, 'wgfleet_rate_limit_rejections_total', { kind: 'key' })).toBe(1);
    expect(sampleValue(samples, 'wgfleet_rate_limit_rejections_total', { kind: 'failed_auth_ip' })).toBe(1);
    expect(sampleValue(samples, 'wgfleet_reconciler_pushes_total', { outcome: 'applied' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'wgfleet_reconciler_push_duration_seconds_count', { outcome: 'applied' })).toBeGreaterThanOrEqual(2);
    expect(sampleValue(samples, 'wgfleet_server_generations_behind', { server_id: serverId })).toBe(0);
    expect(sampleValue(samples, 'wgfleet_node_reachable', { node_id: nodeRes.body.id, node: nodeRes.body.name })).toBe(1);
    expect(sampleValue(samples, 'wgfleet_peers_online', { server_id: serverId })).toBe(1);
    // The series of the run, for the note (the process metrics left out).
    console.log(`/metrics after the lab workflow:\n${text.split('\n').filter((line) => /^(# (HELP|TYPE) )?wgfleet_(http|rate|reconciler|server|node_|peers)/.test(line)).join('\n')}`);

    // One info line per push: server, node, generation, peers, duration, outcome.
    const lines = api!.output().split('\n').filter(Boolean);
    const pushes = lines.filter((line) => line.includes('"msg":"apply done"')).map((line) => JSON.parse(line));
    expect(pushes.at(-1)).toMatchObject({ level: 'info', serverId, node: nodeRes.body.name, outcome: 'applied', peers: 1 });
    // No secret in the process's output, nor in any log file it or its database keep under DATA_DIR.
    const logFiles = (await readdir(api!.dataDir, { recursive: true })).filter((file) => /(^|\/)(log|pg_log)\/|\.log$/.test(file));
    const fileLines = (await Promise.all(logFiles.map(async (file) => (await readFile(join(api!.dataDir, file), 'utf8').catch(() => '')).split('\n')))).flat();
    console.log(`scanned ${lines.length} output lines and ${fileLines.length} lines of ${logFiles.length} log files (${logFiles.join(', ') || 'none'}) for ${secrets.size} secrets`);
    expect(lines.length).toBeGreaterThan(100);
    expect(findSecrets([...lines, ...fileLines], [...secrets])).toEqual([]);
  });
});
