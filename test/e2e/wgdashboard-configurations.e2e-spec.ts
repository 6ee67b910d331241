import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair, publicKeyFromPrivate } from '@wgfleet/wireguard';
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

  /**
   * Upstream 4.2.5 computes a configuration's public key when it reads its file, which
   * addWireguardConfiguration writes without reading: `""` until the configuration is first brought
   * up (recorded: getWireguardConfigurations-wg0.json), the key after, switched off again included
   * (getWireguardConfigurations-wg0-down.json).
   */
  describe('PublicKey, as upstream computes it', () => {
    let key: string;
    let nodeId: number;
    let port = 51900;

    beforeAll(async () => {
      const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.35') RETURNING id`, [
        `wgd-public-key-${process.pid}-${Date.now()}`,
      ]);
      nodeId = Number(node.id);
      key = await keyFor(nodeId);
    });

    const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
    /** A new configuration through addWireguardConfiguration; its public key. */
    async function add(name: string, octet: number): Promise<string> {
      const keys = generateKeyPair();
      const body = { ConfigurationName: name, Address: `10.67.${octet}.1/24`, ListenPort: String(++port), PrivateKey: keys.privateKey, Protocol: 'wg' };
      expect((await wgd('post', '/api/addWireguardConfiguration').send(body).expect(200)).text).toBe('{"data":null,"message":null,"status":true}\n');
      return keys.publicKey;
    }
    const listed = async (name: string) =>
      ((await configurations(key)).body.data as Array<Record<string, unknown>>).find((configuration) => configuration.Name === name)!;
    const info = async (name: string) =>
      (await wgd('get', `/api/getWireguardConfigurationInfo?configurationName=${name}`).expect(200)).body.data.configurationInfo as Record<string, unknown>;
    const toggle = async (name: string) => (await wgd('get', `/api/toggleWireguardConfiguration?configurationName=${name}`).expect(200)).body.data as boolean;

    it('is "" for a configuration just added, in the listing and its info; toggled on it shows, and stays when toggled off', async () => {
      const publicKey = await add('wga', 1);
      expect(await listed('wga')).toMatchObject({ Status: false, PublicKey: '' });
      expect(await info('wga')).toMatchObject({ Status: false, PublicKey: '' });
      expect(await toggle('wga')).toBe(true);
      expect(await listed('wga')).toMatchObject({ Status: true, PublicKey: publicKey });
      expect(await toggle('wga')).toBe(false);
      expect(await listed('wga')).toMatchObject({ Status: false, PublicKey: publicKey });
      expect(await info('wga')).toMatchObject({ Status: false, PublicKey: publicKey });
    });

    it('shows once addPeers brings the configuration up, in the peer’s embedded configuration too', async () => {
      const publicKey = await add('wgb', 2);
      expect(await listed('wgb')).toMatchObject({ PublicKey: '' });
      const res = await wgd('post', '/api/addPeers/wgb').send({ name: 'laptop' }).expect(200);
      expect(res.body).toMatchObject({ status: true, data: [{ configuration: { Name: 'wgb', Status: true, PublicKey: publicKey } }] });
      expect(await listed('wgb')).toMatchObject({ Status: true, PublicKey: publicKey });
    });

    it('shows after updateWireguardConfiguration (which brings it up), in its answer too, and after a rename', async () => {
      const updatedKey = await add('wgc', 3);
      const update = { Name: 'wgc', Address: '10.67.3.1/24', ListenPort: port, PreUp: '', PostUp: '', PreDown: '', PostDown: '', Table: '' };
      expect((await wgd('post', '/api/updateWireguardConfiguration').send(update).expect(200)).body).toMatchObject({ status: true, data: { PublicKey: updatedKey } });
      const renamedKey = await add('wgd', 4);
      expect(await listed('wgd')).toMatchObject({ PublicKey: '' });
      expect((await wgd('post', '/api/renameWireguardConfiguration').send({ ConfigurationName: 'wgd', NewConfigurationName: 'wge' }).expect(200)).body.status).toBe(true);
      expect(await listed('wge')).toMatchObject({ Status: false, PublicKey: renamedKey });
    });

    it('shows after a restore of its backup, which rereads the file', async () => {
      const publicKey = await add('wgf', 5);
      expect((await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wgf').expect(200)).body.status).toBe(true);
      expect(await listed('wgf')).toMatchObject({ PublicKey: '' });
      const [backup] = (await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wgf').expect(200)).body.data as Array<{ filename: string }>;
      expect((await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wgf', BackupFileName: backup!.filename }).expect(200)).body.status).toBe(true);
      expect(await listed('wgf')).toMatchObject({ Status: false, PublicKey: publicKey });
    });

    it('stays hidden through what does not bring it up: a refused addPeers, a raw-file read, another configuration’s toggle', async () => {
      await add('wgg', 6);
      expect((await wgd('post', '/api/addPeers/wgg').send({ name: 'outside', allowed_ips: ['10.99.0.2/32'] }).expect(200)).body.status).toBe(false);
      await wgd('get', '/api/getWireguardConfigurationRawFile?configurationName=wgg').expect(200);
      expect(await toggle('wga')).toBe(true);
      expect(await listed('wgg')).toMatchObject({ Status: false, PublicKey: '' });
    });

    it('is always shown for a server the portal admin made, switched off or on', async () => {
      const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.36') RETURNING id`, [
        `wgd-portal-key-${process.pid}-${Date.now()}`,
      ]);
      const server = (
        await request(http)
          .post(`/api/admin/nodes/${node.id}/servers`)
          .set(bearer(admin.key))
          .send({ name: 'Portal 1', location: 'Frankfurt', interface: 'wg0', listen_port: 51820, ipv4_subnet: '10.68.0.0/24' })
          .expect(201)
      ).body as { id: number; public_key: string };
      const portalKey = await keyFor(Number(node.id));
      const shown = async () => (await configurations(portalKey)).body.data[0] as Record<string, unknown>;
      expect(await shown()).toMatchObject({ Status: true, PublicKey: server.public_key });
      await request(http).get('/api/toggleWireguardConfiguration?configurationName=wg0').set('wg-dashboard-apikey', portalKey).expect(200);
      expect(await shown()).toMatchObject({ Status: false, PublicKey: server.public_key });
    });
  });
});
