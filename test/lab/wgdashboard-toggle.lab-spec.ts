import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import { Reconciler } from '@wgfleet/node-sync';
import { TransportNodeDriver } from '@wgfleet/ssh-driver';
import { generateKeyPair, parseWgDump } from '@wgfleet/wireguard';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { bearer, makeAccount, TEST_MASTER_KEY } from '../support/test-app.js';
import { waitFor } from './api-lab.js';
import { Lab, type LabClient, type LabNode } from './lab.js';
import { labNodeRequest } from './lab-fleet.js';

/**
 * WGDashboard's toggle on real WireGuard over real SSH: a configuration created through the
 * WGDashboard API starts off (nothing on the node), is switched on (wg0 comes up), gets a peer
 * whose client pings through the tunnel, is switched off (wg0 and its file leave the node, the
 * tunnel stops) and on again (wg0 back with the same peer, the tunnel works again). The app runs in
 * this process with the real drivers; its reconciler only touches this file's server.
 */

jest.setTimeout(180_000);

const IFNAME = 'wg0';
const LISTEN_PORT = 51820;

describe('lab: toggling a WGDashboard configuration takes its interface off the node and back, peers intact', () => {
  const ours = new Set<number>();
  const driver = new TransportNodeDriver();
  let lab: Lab | undefined;
  let node: LabNode;
  let client: LabClient;
  let app: NestFastifyApplication | undefined;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let key: string;
  let serverId: number;
  let userPublicKey: string;
  let subnet: string;

  const wgd = (path: string) => request(http).get(path).set('wg-dashboard-apikey', key);
  const onNode = async (argv: string[]) => node.exec(argv);
  const interfaceExists = async () => (await onNode(['ip', 'link', 'show', 'dev', IFNAME])).code === 0;
  const fileExists = async () => (await onNode(['test', '-e', `/etc/wireguard/${IFNAME}.conf`])).code === 0;
  const nodePeers = async () => {
    const dump = await onNode(['wg', 'show', IFNAME, 'dump']);
    return dump.code === 0 ? parseWgDump(dump.stdout).peers.map((peer) => peer.publicKey) : null;
  };
  const inSync = async () => {
    const [row] = await app!.get(DataSource).query('SELECT applied_generation = desired_generation AND last_error IS NULL AS ok FROM server WHERE id = $1', [serverId]);
    return row.ok === true;
  };
  const serverAddress = () => subnet.replace(/\.0\/24$/, '.1');

  beforeAll(async () => {
    lab = await Lab.create({ nodes: 1, clientsPerNode: 1 });
    node = lab.nodes[0]!;
    client = lab.clients[0]![0]!;
    subnet = `10.68.${node.number}.0/24`;
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.forRoot({
          config: loadConfig({ LOG_LEVEL: 'silent' }),
          databaseUrl: await migratedDatabaseUrl(),
          masterKey: TEST_MASTER_KEY,
          nodeDriver: driver,
          // The test database is shared: push and poll only this file's server.
          reconciler: { intervalMs: 60_000, pollIntervalMs: 1_000, crossReplica: false, scope: (id) => ours.has(id) },
        }),
      ],
    })
      .setLogger(new PinoNestLogger(createLogger('silent')))
      .compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { bodyParser: false });
    configureApp(app, createLogger('silent'));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    http = app.getHttpServer();
  });

  afterAll(async () => {
    try {
      await app?.close();
      await driver.close();
    } finally {
      await lab?.destroy();
    }
  });

  it('creates the configuration through the WGDashboard API: stored, off, nothing on the node', async () => {
    const admin = await makeAccount(app!, 'admin');
    const nodeRes = await request(http).post('/api/admin/nodes').set(bearer(admin.key)).send(labNodeRequest(lab!.id, node, 'wgd-toggle')).expect(201);
    key = (await request(http).post(`/api/admin/nodes/${nodeRes.body.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    const added = await request(http)
      .post('/api/addWireguardConfiguration')
      .set('wg-dashboard-apikey', key)
      .send({ ConfigurationName: IFNAME, Address: `${serverAddress()}/24`, ListenPort: String(LISTEN_PORT), PrivateKey: generateKeyPair().privateKey, Protocol: 'wg' })
      .expect(200);
    expect(added.text).toBe('{"data":null,"message":null,"status":true}\n');
    const [row] = await app!.get(DataSource).query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [nodeRes.body.id, IFNAME]);
    serverId = Number(row.id);
    ours.add(serverId);
    app!.get(Reconciler).wake(serverId);
    await waitFor('the first push recorded', inSync, 20_000);
    expect(await interfaceExists()).toBe(false);

    // Clients of the lab reach the node on its client link (as in the workflow lab): the admin says so.
    await request(http).patch(`/api/admin/servers/${serverId}`).set(bearer(admin.key)).send({ endpoint_host: node.clientLinkIp }).expect(200);
    // A customer's user on it, so the toggle has a peer to keep.
    const customer = await makeAccount(app!, 'customer');
    const [assignment] = await app!.get(DataSource).query('INSERT INTO assignment (server_id, account_id) VALUES ($1, $2) RETURNING id', [serverId, customer.id]);
    const user = await request(http).post(`/api/wg/servers/${assignment.id}/users`).set(bearer(customer.key)).send({ client_name: 'laptop' }).expect(201);
    userPublicKey = user.body.public_key;
    await client.bringUp(user.body.config);
  });

  it('switches on: wg0 comes up on the node with the peer; the client pings the server through it', async () => {
    expect((await wgd(`/api/toggleWireguardConfiguration?configurationName=${IFNAME}`).expect(200)).text).toBe('{"data":true,"message":null,"status":true}\n');
    await waitFor('wg0 with its peer on the node', async () => (await nodePeers())?.includes(userPublicKey) ?? false, 20_000, 100);
    await waitFor('in sync', inSync, 20_000);
    expect(await fileExists()).toBe(true);
    expect(await client.ping(serverAddress(), 3, 2)).toMatchObject({ code: 0 });
    const list = JSON.parse((await wgd('/api/getWireguardConfigurations').expect(200)).text).data;
    expect(list).toEqual([expect.objectContaining({ Name: IFNAME, Status: true, TotalPeers: 1 })]);
    // The live rate of a running interface: floats (upstream's round(…, 3)), read on the node over SSH.
    const traffic = await wgd(`/api/getWireguardConfigurationRealtimeTraffic?configurationName=${IFNAME}`).expect(200);
    expect(traffic.text).toMatch(/^\{"data":\{"recv":\d+\.\d+,"sent":\d+\.\d+\},"message":null,"status":true\}\n$/);
  });

  it('switches off: wg0 and its file leave the node, the tunnel stops, the peer stays in Postgres', async () => {
    expect((await wgd(`/api/toggleWireguardConfiguration?configurationName=${IFNAME}`).expect(200)).text).toBe('{"data":false,"message":null,"status":true}\n');
    await waitFor('wg0 gone from the node', async () => !(await interfaceExists()), 20_000, 100);
    await waitFor('in sync', inSync, 20_000);
    expect(await fileExists()).toBe(false);
    expect((await client.ping(serverAddress(), 1, 1)).code).not.toBe(0);
    expect(JSON.parse((await wgd('/api/getWireguardConfigurations').expect(200)).text).data).toEqual([expect.objectContaining({ Status: false, TotalPeers: 1 })]);
    expect((await wgd(`/api/getWireguardConfigurationRealtimeTraffic?configurationName=${IFNAME}`).expect(200)).text).toBe('{"data":{"recv":0,"sent":0},"message":null,"status":true}\n');
  });

  it('switches on again: wg0 is back with the same peer and the tunnel works again', async () => {
    expect((await wgd(`/api/toggleWireguardConfiguration?configurationName=${IFNAME}`).expect(200)).text).toBe('{"data":true,"message":null,"status":true}\n');
    await waitFor('wg0 back with its peer', async () => (await nodePeers())?.includes(userPublicKey) ?? false, 20_000, 100);
    expect(await nodePeers()).toEqual([userPublicKey]);
    expect(await fileExists()).toBe(true);
    await waitFor('the client through the tunnel again', async () => (await client.ping(serverAddress(), 2, 2)).code === 0, 20_000, 200);
  });
});
