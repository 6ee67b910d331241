import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { publicKeyFromPrivate } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/** GET /api/getWireguardConfigurations: the key's node's servers as configuration objects (notes §2.3, §1.8.1). */
describe('WGDashboard API: configurations', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
  });
  afterAll(async () => {
    await app.close();
  });

  const keyFor = async (nodeId: number) =>
    (await request(http).post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;
  const configurations = (key: string) => request(http).get('/api/getWireguardConfigurations').set('wg-dashboard-apikey', key).expect(200);

  it('lists nothing for a node without servers', async () => {
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.33') RETURNING id`, [
      `wgd-empty-${process.pid}-${Date.now()}`,
    ]);
    expect((await configurations(await keyFor(Number(node.id)))).text).toBe('{"data":[],"message":null,"status":true}\n');
  });

  it('shows the node’s server as upstream’s object, its users as peers with their traffic, and nothing of other nodes', async () => {
    const server = await makeServer(app, { ipv4Subnet: '10.0.20.0/24', ipv6Subnet: null, listenPort: 51829 });
    const other = await makeServer(app);
    const customer = await makeAccount(app, 'customer');
    const assignment = await assign(app, server.serverId, customer.id);
    const created = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'laptop' }).expect(201);
    await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'phone' }).expect(201);
    // What the poller records: 1.5 GiB received from the laptop (0.5 of it before an interface restart), a fresh handshake.
    const db = app.get(DataSource);
    await db.query(`INSERT INTO server_status (server_id, interface, polled_at) VALUES ($1, 'up', now())`, [server.serverId]);
    await db.query(
      `INSERT INTO peer_status (user_id, server_id, latest_handshake_at, rx_total, tx_total, rx_last_raw, tx_last_raw)
       VALUES ($1, $2, now() - interval '10 seconds', $3, 0, $4, 0)`,
      [created.body.id, server.serverId, 1.5 * 1024 ** 3, 1024 ** 3],
    );

    const res = await configurations(await keyFor(server.nodeId));
    expect(res.headers['content-type']).toBe('application/json');
    const privateKey = JSON.parse(res.text).data[0].PrivateKey as string;
    expect(publicKeyFromPrivate(privateKey)).toBe(server.publicKey);
    expect(res.text).toBe(
      '{"data":[{"Address":"10.0.20.1/24","ConnectedPeers":1,"DataUsage":{"Receive":1.5,"Sent":0.0,"Total":1.5},' +
        `"ListenPort":"51829","Name":"wg0","PostDown":"","PostUp":"","PreDown":"","PreUp":"","PrivateKey":"${privateKey}",` +
        `"Protocol":"wg","PublicKey":"${server.publicKey}","SaveConfig":true,"Status":true,"Table":"","TotalPeers":2}],` +
        '"message":null,"status":true}\n',
    );
    expect(res.text).not.toContain(other.publicKey);
  });
});
