import type { Response } from 'supertest';
import { generateKeyPair, parseWgDump } from '@wgfleet/wireguard';
import { nodeOutput, waitFor } from './api-lab.js';
import { LabApi, type ApiClient } from './api-process-lab.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import { trafficArgv } from './ping.js';
import { labNodeRequest } from './lab-fleet.js';

/**
 * A WGDashboard client's flow against the API started as the README says, on a real node over real
 * SSH: add a configuration, add peers (single and bulk), download a peer's file and bring it up in the
 * client namespace, ping through it, restrict it (traffic stops), allow it (traffic flows), a
 * data-quota peer job restricts it once its traffic passes the limit, toggle the configuration down
 * and up, read realtime traffic, delete.
 */

jest.setTimeout(240_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;

describe('lab: a WGDashboard client on a real node', () => {
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let api: LabApi | undefined;
  let wgd: ApiClient;
  let serverAddress: string;
  let laptopKey: string;

  const nodeOut = (argv: string[]) => nodeOutput((a) => node.exec(a), 'the node', argv);
  const nodePeers = async () => {
    const result = await node.exec(['wg', 'show', IFNAME, 'dump']);
    return result.code === 0 ? parseWgDump(result.stdout).peers.map((peer) => peer.publicKey) : null;
  };
  const pings = async () => (await client.ping(serverAddress, 1, 1)).code === 0;
  /** The response, once it is a WGDashboard success (HTTP 200, status true). */
  const ok = (res: Response) => {
    if (res.status !== 200 || res.body.status !== true) throw new Error(`WGDashboard answered ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1, internet: false });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    serverAddress = `10.66.${node.number}.1`;
    api = await LabApi.start({ reconcileIntervalMs: 60_000, pollIntervalMs: 1_000, env: { WGD_JOB_INTERVAL_MS: '1000' } });
    const admin = api.as(api.adminKey);
    const created = await admin.post('/api/admin/nodes', labNodeRequest(lab.id, node, 'wgdashboard'));
    expect(created.status).toBe(201);
    const key = await admin.post(`/api/admin/nodes/${created.body.id}/wgdashboard-keys`, {});
    expect(key.status).toBe(201);
    wgd = api.wgd(key.body.key);
    // Downloaded files dial the node where the client namespace reaches it.
    ok(await wgd.post('/api/updateDashboardConfigurationItem', { section: 'Peers', key: 'remote_endpoint', value: node.clientLinkIp }));
  });

  afterAll(async () => {
    try {
      await api?.destroy();
    } finally {
      await lab?.destroy();
    }
  });

  it('adds a configuration; it starts stopped, as upstream', async () => {
    ok(
      await wgd.post('/api/addWireguardConfiguration', {
        ConfigurationName: IFNAME,
        Address: `${serverAddress}/24`,
        ListenPort: LISTEN_PORT,
        PrivateKey: generateKeyPair().privateKey,
        Protocol: 'wg',
      }),
    );
    const listed = ok(await wgd.get('/api/getWireguardConfigurations')).body.data;
    expect(listed.map((configuration: { Name: string }) => configuration.Name)).toEqual([IFNAME]);
    expect(await nodePeers()).toBeNull();
  });

  it('adds peers, single and bulk; the node holds them all', async () => {
    const single = ok(await wgd.post(`/api/addPeers/${IFNAME}`, { name: 'laptop' })).body.data;
    laptopKey = single[0].id;
    const bulk = ok(await wgd.post(`/api/addPeers/${IFNAME}`, { bulkAdd: true, bulkAddAmount: 2 })).body.data;
    expect(bulk).toHaveLength(2);
    const expected = [laptopKey, ...bulk.map((peer: { id: string }) => peer.id)].sort();
    await waitFor('three peers on the node', async () => JSON.stringify((await nodePeers())?.sort()) === JSON.stringify(expected), 30_000, 100);
  });

  it('downloads the laptop’s file; the client brings it up and pings the server through the tunnel', async () => {
    const download = ok(await wgd.get(`/api/downloadPeer/${IFNAME}?id=${encodeURIComponent(laptopKey)}`)).body.data;
    expect(download.fileName).toBe('laptop');
    expect(download.file).toContain(`Endpoint = ${node.clientLinkIp}:${LISTEN_PORT}`);
    await client.bringUp(download.file);
    await waitFor('a ping through the tunnel', pings, 20_000, 0);
  });

  it('realtime traffic shows the bytes the tunnel carries', async () => {
    // Traffic during the one-second sample: about 120 KB/s each way, 0.1 MB/s after upstream's rounding.
    const flowing = client.exec(trafficArgv(serverAddress, 3));
    const traffic = ok(await wgd.get(`/api/getWireguardConfigurationRealtimeTraffic?configurationName=${IFNAME}`)).body.data;
    await flowing;
    expect(traffic.recv).toBeGreaterThan(0);
    expect(traffic.sent).toBeGreaterThan(0);
  });

  it('restricting the laptop stops its traffic; allowing it lets traffic flow again', async () => {
    expect(ok(await wgd.post(`/api/restrictPeers/${IFNAME}`, { peers: [laptopKey] })).body.message).toBe('Restricted 1 peer(s)');
    await waitFor('the laptop off the node', async () => !(await nodePeers())?.includes(laptopKey), 20_000, 100);
    expect(await pings()).toBe(false);

    expect(ok(await wgd.post(`/api/allowAccessPeers/${IFNAME}`, { peers: [laptopKey] })).body.message).toBe('Allow access successfully');
    await waitFor('the laptop back on the node', async () => (await nodePeers())?.includes(laptopKey), 20_000, 100);
    await waitFor('a ping through the tunnel again', pings, 20_000, 0);
  });

  it('a data-quota job restricts the laptop once its traffic passes the limit', async () => {
    const job = {
      JobID: `lab-quota-${lab!.id}`,
      Configuration: IFNAME,
      Peer: laptopKey,
      Field: 'total_data',
      Operator: 'lgt',
      // About 50 KB: a few pings more than the handshake and the pings so far.
      Value: '0.00005',
      CreationDate: '',
      ExpireDate: '',
      Action: 'restrict',
    };
    ok(await wgd.post('/api/savePeerScheduleJob', { Job: job }));
    // Traffic past the limit; the poller counts it, the job runner acts on it.
    await client.exec(trafficArgv(serverAddress, 2));
    await waitFor('the laptop restricted by its job', async () => !(await nodePeers())?.includes(laptopKey), 60_000, 250);
    const info = ok(await wgd.get(`/api/getWireguardConfigurationInfo?configurationName=${IFNAME}`)).body.data;
    expect(info.configurationRestrictedPeers.map((peer: { id: string }) => peer.id)).toEqual([laptopKey]);
    const logs = ok(await wgd.get(`/api/getPeerScheduleJobLogs/${IFNAME}`)).body.data;
    expect(logs.some((log: { Message: string }) => log.Message === `Peer ${laptopKey} from ${IFNAME} is successfully restricted.`)).toBe(true);
    ok(await wgd.post(`/api/allowAccessPeers/${IFNAME}`, { peers: [laptopKey] }));
    await waitFor('the laptop back after the job', async () => (await nodePeers())?.includes(laptopKey), 20_000, 100);
  });

  it('toggles the configuration down (interface gone) and up (back with its peers)', async () => {
    expect(ok(await wgd.get(`/api/toggleWireguardConfiguration?configurationName=${IFNAME}`)).body.data).toBe(false);
    await waitFor('the interface gone from the node', async () => (await nodePeers()) === null, 20_000, 100);
    expect(ok(await wgd.get(`/api/toggleWireguardConfiguration?configurationName=${IFNAME}`)).body.data).toBe(true);
    await waitFor('the interface back with three peers', async () => (await nodePeers())?.length === 3, 20_000, 100);
    await waitFor('a ping through the tunnel after the toggle', pings, 30_000, 0);
  });

  it('deletes the configuration: the interface leaves the node', async () => {
    ok(await wgd.post('/api/deleteWireguardConfiguration', { ConfigurationName: IFNAME }));
    await waitFor('the interface gone after the delete', async () => (await nodePeers()) === null, 20_000, 100);
    expect(ok(await wgd.get('/api/getWireguardConfigurations')).body.data).toEqual([]);
    expect(await nodeOut(['ip', '-o', 'link', 'show'])).not.toContain(`${IFNAME}:`);
  });
});
