import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig, PinoNestLogger } from '@wgfleet/core';
import { FakeNodeDriver, Reconciler } from '@wgfleet/node-sync';
import { generateKeyPair, publicKeyFromPrivate } from '@wgfleet/wireguard';
import { AppModule } from '../../apps/api/src/app.module.js';
import { configureApp } from '../../apps/api/src/configure-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { assign } from '../support/fleet-factory.js';
import { bearer, makeAccount, TEST_MASTER_KEY } from '../support/test-app.js';
import { ORACLE_KEY, wgdFixture } from '../support/wgd-fixtures.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Configuration management (notes §2.4-2.11) through HTTP, with the reconciler pushing to a fake
 * node: upstream's recorded answers where the state matches, the exact bytes of our deviations,
 * and what reaches the node (switched off = interface removed, renamed = old one removed).
 */
jest.setTimeout(30_000);

const ours = new Set<number>();
const fake = new FakeNodeDriver();

async function startApp(): Promise<NestFastifyApplication> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const moduleRef = await Test.createTestingModule({
    imports: [
      AppModule.forRoot({
        config,
        databaseUrl: await migratedDatabaseUrl(),
        masterKey: TEST_MASTER_KEY,
        nodeDriver: fake,
        // Only this file's servers: parallel files share the database.
        reconciler: { intervalMs: 60_000, pollIntervalMs: 60_000, minPushGapMs: 10, backoff: { initialMs: 50, maxMs: 200 }, scope: (id) => ours.has(id) },
      }),
    ],
  })
    .setLogger(new PinoNestLogger(createLogger('silent')))
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { bodyParser: false });
  configureApp(app, createLogger('silent'));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const ok = (data: string, message = 'null') => `{"data":${data},"message":${message},"status":true}\n`;
const fail = (message: string, data = 'null') => `{"data":${data},"message":${JSON.stringify(message)},"status":false}\n`;

describe('WGDashboard API: configuration management', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let admin: { id: number; key: string };
  let nodeId: number;
  let key: string;

  beforeAll(async () => {
    app = await startApp();
    http = app.getHttpServer();
    db = app.get(DataSource);
    admin = await makeAccount(app, 'admin');
    const [node] = await db.query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.61') RETURNING id`, [
      `wgd-admin-${process.pid}-${Date.now()}`,
    ]);
    nodeId = Number(node.id);
    key = (await request(http).post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, body: unknown) => request(http).post(path).set('wg-dashboard-apikey', key).send(body as object);
  const get = (path: string) => request(http).get(path).set('wg-dashboard-apikey', key);

  /** A recorded exchange sent again with this file's key: status and body bytes must be upstream's. */
  async function replay(name: string): Promise<void> {
    const fixture = wgdFixture(name);
    let call = request(http)[fixture.request.method.toLowerCase() as 'get'](fixture.request.path);
    for (const [header, value] of Object.entries(fixture.request.headers)) call = call.set(header, value === ORACLE_KEY ? key : value);
    const res = await (typeof fixture.request.body === 'string' ? call.send(fixture.request.body) : call);
    expect({ status: res.status, type: res.headers['content-type'], body: res.text }).toEqual({
      status: fixture.status,
      type: fixture.headers['Content-Type'],
      body: fixture.body,
    });
  }

  /** The server behind a configuration name on this file's node; adopted by the reconciler and pushed. */
  async function adopt(name: string): Promise<number> {
    const [row] = await db.query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [nodeId, name]);
    const id = Number(row.id);
    ours.add(id);
    app.get(Reconciler).wake(id);
    return id;
  }
  const serverRow = async (id: number) =>
    (await db.query('SELECT enabled, listen_port, interface, desired_generation::int AS desired, applied_generation::int AS applied FROM server WHERE id = $1', [id]))[0];
  const inSync = (id: number) => async () => {
    const row = await serverRow(id);
    return row.applied === row.desired;
  };
  const onNode = (name: string) => fake.nodeState.has(FakeNodeDriver.key(nodeId, name));
  const addBody = (name: string, address: string, port: number | string, extra: Record<string, unknown> = {}) => ({
    ConfigurationName: name,
    Address: address,
    ListenPort: port,
    PrivateKey: generateKeyPair().privateKey,
    Protocol: 'wg',
    ...extra,
  });

  describe('addWireguardConfiguration', () => {
    it('answers upstream’s recorded bytes for missing parameters and a protocol other than wg', async () => {
      await replay('addWireguardConfiguration-missing-params');
      await replay('addWireguardConfiguration-bad-protocol');
      expect((await post('/api/addWireguardConfiguration', addBody('wg9', '10.66.90.1/24', 51890, { Protocol: 'awg' }))).text).toBe(
        fail('Please provide a valid protocol: wg / awg.'),
      );
    });

    it('creates wg0 as upstream did (recorded request and answer), switched off, nothing pushed; then the duplicates as recorded', async () => {
      await replay('addWireguardConfiguration-wg0');
      const id = await adopt('wg0');
      expect(await serverRow(id)).toMatchObject({ enabled: false, listen_port: 51820, interface: 'wg0' });
      await waitFor('wg0 in sync', inSync(id));
      expect(onNode('wg0')).toBe(false);
      await replay('addWireguardConfiguration-duplicate-name');
      await replay('addWireguardConfiguration-duplicate-port');
      await replay('addWireguardConfiguration-duplicate-address');
      // Upstream compares the port as text: a JSON integer is the same port.
      expect((await post('/api/addWireguardConfiguration', addBody('wg70', '10.66.70.1/24', 51820))).text).toBe(
        fail('Already have a configuration with the port "51820"', '"ListenPort"'),
      );
    });

    it('lists the new configuration and its info as recorded: Status false, PublicKey "" until it is first brought up', async () => {
      await replay('getWireguardConfigurations-wg0');
      await replay('getWireguardConfigurationInfo-wg0-no-peers');
    });

    it.each([
      ['a ;', 'wg;x'],
      ['a path', '../x'],
      ['a double quote', 'wg"x'],
      ['a single quote', "wg'x"],
      ['a space', 'wg x'],
      ['a leading dash', '-wg'],
      ['sixteen characters', 'abcdefghijklmnop'],
      ['an empty name', ''],
      ['a number', 7],
    ])('refuses %s in the name (upstream creates it)', async (_what, name) => {
      const res = await post('/api/addWireguardConfiguration', addBody(name as string, '10.66.8.1/24', 51821)).expect(200);
      expect(res.text).toBe(
        fail('Please provide a valid configuration name: a configuration name is 1 to 15 letters, digits or _ = . - (not starting with "-"), such as wg0'),
      );
    });

    it.each(['ifb-wg0', 'ifb=0123abcd'])('refuses %s: names of the traffic shaping devices are reserved', async (name) => {
      const res = await post('/api/addWireguardConfiguration', addBody(name, '10.66.9.1/24', 51829)).expect(200);
      expect(res.text).toBe(fail('Please provide a valid configuration name: names starting with "ifb-" or "ifb=" are reserved for traffic shaping'));
      expect(await db.query('SELECT 1 FROM server WHERE node_id = $1 AND interface = $2', [nodeId, name])).toEqual([]);
    });

    it('refuses a bad key, port or address with a message that says what to send', async () => {
      const add = (body: Record<string, unknown>) => post('/api/addWireguardConfiguration', body).expect(200);
      expect((await add(addBody('wg8', '10.66.8.1/24', 51821, { PrivateKey: 'not a key' }))).text).toBe(
        fail('Please provide a valid private key: 32 bytes in base64, 44 characters ending in "="'),
      );
      for (const port of [0, 65536, '51x', 1.5, null]) {
        expect((await add(addBody('wg8', '10.66.8.1/24', port as number))).text).toBe(fail('Please provide a valid listen port: an integer from 1 to 65535'));
      }
      expect((await add(addBody('wg8', '10.66.8.7/24', 51821))).text).toBe(
        fail('Address "10.66.8.7/24": the server\'s address must be the first host of 10.66.8.0/24; use 10.66.8.1/24'),
      );
      expect((await add(addBody('wg8', '10.66.8.1', 51821))).text).toBe(
        fail('Address "10.66.8.1" has no prefix length: write it with its subnet, such as "10.0.20.1/24" or "10.0.20.1/24, fd42:20::1/64"'),
      );
      expect((await add(addBody('wg8', 'fd42:8::1/64', 51821))).text).toBe(
        fail('Please provide exactly one IPv4 address (and at most one IPv6 address), such as "10.0.20.1/24" or "10.0.20.1/24, fd42:20::1/64"'),
      );
      // The servers module's own rules: overlap on the node, prefix length.
      expect((await add(addBody('wg8', '10.66.0.1/16', 51821))).text).toBe(
        fail(`ipv4_subnet 10.66.0.0/16 overlaps 10.66.7.0/24 of server ${[...ours][0]} on the same node; choose a disjoint subnet`),
      );
      expect((await add(addBody('wg8', '10.66.8.1/31', 51821))).text).toBe(fail('Address "10.66.8.1/31": the subnet 10.66.8.0/31 is too small to hold the server and a peer'));
      expect((await add(addBody('wg8', '10.66.8.1/24', 51821, { PreUp: 'echo a\necho b' }))).text).toBe(fail('PreUp must be one line (no line breaks)'));
      // This node has no such backup (test/e2e/wgdashboard-backups.e2e-spec.ts makes configurations from real ones).
      expect((await add(addBody('wg8', '10.66.8.1/24', 51821, { Backup: 'wg0_20241025224313.conf' }))).text).toBe(fail('Backup does not exist'));
      expect(await db.query('SELECT 1 FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'wg8'])).toEqual([]);
    });

    it('creates wg1 with IPv4 and IPv6 as recorded, hooks stored and shown (never run)', async () => {
      await replay('addWireguardConfiguration-wg1');
      await adopt('wg1');
      const res = await post('/api/addWireguardConfiguration', addBody('wg3', '10.66.30.1/24', 51830, { PostUp: 'iptables -A FORWARD -i %i -j ACCEPT', PreDown: 'x' })).expect(200);
      expect(res.text).toBe(ok('null'));
      await adopt('wg3');
      const list = JSON.parse((await get('/api/getWireguardConfigurations')).text).data as Array<Record<string, unknown>>;
      expect(list.map((c) => c.Name)).toEqual(['wg0', 'wg1', 'wg3']);
      expect(list[1]).toMatchObject({ Address: '10.66.10.1/24, fd42:66:10::1/64', ListenPort: '51823' });
      expect(list[2]).toMatchObject({ PostUp: 'iptables -A FORWARD -i %i -j ACCEPT', PreDown: 'x', PreUp: '', PostDown: '' });
    });
  });

  describe('toggleWireguardConfiguration', () => {
    it('answers upstream’s 404s for a missing or unknown name', async () => {
      await replay('toggleWireguardConfiguration-no-param');
      await replay('toggleWireguardConfiguration-unknown');
      expect((await get('/api/toggleWireguardConfiguration?configurationName=wg0&configurationName=wg1')).status).toBe(404);
    });

    it('switches wg0 on (pushed to the node) and off (taken off the node), answering the new Status; 4.2.0’s trailing slash too', async () => {
      const id = (await db.query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'wg0']))[0].id;
      // wg0 was added with the recorded request: its key is the recorded instance's, which a toggle makes known.
      const recordedPublicKey = publicKeyFromPrivate((JSON.parse(wgdFixture('addWireguardConfiguration-wg0').request.body as string) as { PrivateKey: string }).PrivateKey);
      await replay('toggleWireguardConfiguration-wg0-up');
      await waitFor('wg0 on the node', () => onNode('wg0'));
      await waitFor('wg0 in sync', inSync(Number(id)));
      expect(JSON.parse((await get('/api/getWireguardConfigurations')).text).data[0]).toMatchObject({ Status: true, PublicKey: recordedPublicKey });
      const down = await get('/api/toggleWireguardConfiguration/?configurationName=wg0').expect(200);
      expect(down.text).toBe(ok('false'));
      await waitFor('wg0 off the node', () => !onNode('wg0'));
      expect(fake.removals).toContain(FakeNodeDriver.key(nodeId, 'wg0'));
      // wg0 as upstream listed it after this toggle, its four peers (added before it there, after it here) left out.
      const firstObject = (body: string) => /^\{"data":\[(\{.*?"TotalPeers":\d+\})/.exec(body)![1];
      const recordedDown = firstObject(wgdFixture('getWireguardConfigurations-wg0-down').body)
        .replace('{"Receive":0.0,"Sent":0.0,"Total":0.0}', '{"Receive":0,"Sent":0,"Total":0}')
        .replace('"TotalPeers":4', '"TotalPeers":0');
      expect(recordedDown).toContain(`"PublicKey":"${recordedPublicKey}"`);
      expect(firstObject((await get('/api/getWireguardConfigurations')).text)).toBe(recordedDown);
      await replay('toggleWireguardConfiguration-wg0-up');
      await waitFor('wg0 back on the node', () => onNode('wg0'));
    });
  });

  describe('updateWireguardConfiguration', () => {
    it('answers upstream’s bytes without Name and for an unknown one; a missing key is a 400 naming it (upstream: 500)', async () => {
      await replay('updateWireguardConfiguration-missing-name');
      await replay('updateWireguardConfiguration-unknown');
      const { Table: _table, ...withoutTable } = JSON.parse(wgdFixture('updateWireguardConfiguration-wg0').request.body as string) as Record<string, unknown>;
      const res = await post('/api/updateWireguardConfiguration', withoutTable).expect(400);
      expect(res.text).toBe(fail('Please provide these following field: Table'));
      expect((await post('/api/updateWireguardConfiguration', { ...withoutTable, Table: '', ListenPort: 'x' }).expect(200)).text).toBe(
        fail('Please provide a valid listen port: an integer from 1 to 65535'),
      );
    });

    it('changes the port and hooks, answers the configuration with message "", and the node gets the new port', async () => {
      const body = { ...(JSON.parse(wgdFixture('updateWireguardConfiguration-wg0').request.body as string) as Record<string, unknown>), ListenPort: 51824, PreUp: 'echo up' };
      const res = await post('/api/updateWireguardConfiguration', body).expect(200);
      const answer = JSON.parse(res.text) as { data: Record<string, unknown>; message: string; status: boolean };
      expect(answer).toMatchObject({ status: true, message: '', data: { Name: 'wg0', ListenPort: '51824', PreUp: 'echo up', Status: true, Table: '' } });
      expect(res.text.startsWith('{"data":{"Address":"10.66.7.1/24","ConnectedPeers":0,')).toBe(true);
      expect(res.text.endsWith('},"message":"","status":true}\n')).toBe(true);
      await waitFor('the new port on the node', () => /ListenPort = 51824/.test(fake.nodeState.get(FakeNodeDriver.key(nodeId, 'wg0'))?.peersConfig ?? ''));
      // Another configuration's port is refused by the node's own check.
      const taken = await post('/api/updateWireguardConfiguration', { ...body, ListenPort: 51823 }).expect(200);
      expect(JSON.parse(taken.text)).toMatchObject({ status: false, message: expect.stringMatching(/^listen_port 51823 is already used on node \d+ by server \d+; choose another port$/) });
    });
  });

  describe('raw file', () => {
    it('answers upstream’s 404s and failures for bad names and empty content', async () => {
      await replay('getWireguardConfigurationRawFile-no-param');
      await replay('getWireguardConfigurationRawFile-unknown');
      await replay('updateWireguardConfigurationRawFile-unknown');
      await replay('updateWireguardConfigurationRawFile-empty');
    });

    it('renders a configuration without peers in the layout upstream writes at creation', async () => {
      const wg1 = JSON.parse(wgdFixture('addWireguardConfiguration-wg1').request.body as string) as { PrivateKey: string };
      const res = await get('/api/getWireguardConfigurationRawFile?configurationName=wg1').expect(200);
      expect(res.text).toBe(
        ok(
          `{"content":"[Interface]\\nPrivateKey = ${wg1.PrivateKey}\\nAddress = 10.66.10.1/24, fd42:66:10::1/64\\nListenPort = 51823\\n` +
            'PreUp = \\nPreDown = \\nPostUp = \\nPostDown = \\nSaveConfig = true\\n\\n","path":"/etc/wireguard/wg1.conf"}',
        ),
      );
    });

    it('renders peers as wg-quick save does, and takes back the same file; other peers or keys are refused', async () => {
      const [row] = await db.query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'wg3']);
      const customer = await makeAccount(app, 'customer');
      const assignment = await assign(app, Number(row.id), customer.id);
      const user = (await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'laptop' }).expect(201)).body;
      const file = JSON.parse((await get('/api/getWireguardConfigurationRawFile?configurationName=wg3').expect(200)).text).data.content as string;
      const [secrets] = await db.query('SELECT public_key FROM wg_user WHERE id = $1', [user.id]);
      const presharedKey = /PresharedKey = (\S+)/.exec(file)?.[1];
      expect(file).toBe(
        '[Interface]\nAddress = 10.66.30.1/24\nSaveConfig = true\nPreUp = \nPostUp = iptables -A FORWARD -i %i -j ACCEPT\nPreDown = x\nPostDown = \n' +
          `ListenPort = 51830\nPrivateKey = ${JSON.parse((await get('/api/getWireguardConfigurations')).text).data[2].PrivateKey}\n\n` +
          `[Peer]\nPublicKey = ${secrets.public_key}\nPresharedKey = ${presharedKey}\nAllowedIPs = ${user.address ?? '10.66.30.2'}/32\n`,
      );
      const update = (text: string) => post('/api/updateWireguardConfigurationRawFile', { configurationName: 'wg3', rawConfiguration: text }).expect(200);
      expect((await update(file)).text).toBe(ok('null'));
      expect((await update(file.replace(/\n\[Peer\][\s\S]*$/, '\n'))).text).toBe(
        fail(`Peer ${secrets.public_key} is missing: the [Peer] sections must be the configuration's current peers (add, change and delete peers with addPeers, updatePeerSettings and deletePeers)`),
      );
      const stranger = generateKeyPair().publicKey;
      expect((await update(`${file}\n[Peer]\nPublicKey = ${stranger}\nAllowedIPs = 10.66.30.9/32\n`)).text).toBe(
        fail(`Peer ${stranger} is not a peer of this configuration: the [Peer] sections must be the configuration's current peers (add, change and delete peers with addPeers, updatePeerSettings and deletePeers)`),
      );
      expect((await update(file.replace('SaveConfig = true', 'DNS = 1.1.1.1'))).text).toBe(fail('Invalid configuration file: line 3: DNS is not supported in [Interface] here'));
      expect((await update(file.replace('PreUp = ', 'PreUp = a\rb'))).text).toBe(fail('PreUp must be one line (no line breaks)'));
      expect((await update(file.replace('ListenPort = 51830', 'ListenPort = 51831').replace('PreDown = x', 'PreDown = y\nPreDown = z'))).text).toBe(ok('null'));
      const after = JSON.parse((await get('/api/getWireguardConfigurations')).text).data[2];
      expect(after).toMatchObject({ ListenPort: '51831', PreDown: 'y; z', Status: true });
    });
  });

  describe('moving a configuration (Address)', () => {
    const update = (name: string, address: string) =>
      post('/api/updateWireguardConfiguration', { Name: name, Address: address, ListenPort: name === 'wg3' ? 51831 : 51823, PreUp: '', PostUp: '', PreDown: '', PostDown: '', Table: '' });

    it('moves a configuration without peers to other subnets', async () => {
      const res = await update('wg1', '10.66.11.1/24, fd42:66:11::1/64').expect(200);
      expect(JSON.parse(res.text)).toMatchObject({ status: true, message: '', data: { Name: 'wg1', Address: '10.66.11.1/24, fd42:66:11::1/64' } });
    });

    it('refuses a subnet that would leave a peer outside, and changes nothing', async () => {
      const res = await update('wg3', '10.66.31.1/24').expect(200);
      expect(JSON.parse(res.text)).toMatchObject({
        status: false,
        message: expect.stringMatching(/^1 user address\(es\) of server \d+ lie outside 10\.66\.31\.0\/24; keep a subnet that holds them$/),
      });
      const wg3 = (JSON.parse((await get('/api/getWireguardConfigurations')).text).data as Array<Record<string, unknown>>).find((c) => c.Name === 'wg3');
      expect(wg3).toMatchObject({ Address: '10.66.30.1/24', PreDown: 'y; z' });
    });

    it('takes a new private key from the raw file: the public key follows', async () => {
      const file = JSON.parse((await get('/api/getWireguardConfigurationRawFile?configurationName=wg3')).text).data.content as string;
      const keys = generateKeyPair();
      const res = await post('/api/updateWireguardConfigurationRawFile', { configurationName: 'wg3', rawConfiguration: file.replace(/PrivateKey = \S+/, `PrivateKey = ${keys.privateKey}`) });
      expect(res.text).toBe(ok('null'));
      const wg3 = (JSON.parse((await get('/api/getWireguardConfigurations')).text).data as Array<Record<string, unknown>>).find((c) => c.Name === 'wg3');
      expect(wg3).toMatchObject({ PrivateKey: keys.privateKey, PublicKey: keys.publicKey });
    });

    it('refuses a body that is not a JSON object with 422, saying to send one', async () => {
      expect((await post('/api/addWireguardConfiguration', ['wg0']).expect(422)).text).toBe(fail('the request body is an array; send a JSON object ({"field": value, ...})'));
      expect((await post('/api/updateWireguardConfiguration', 'null').set('content-type', 'application/json').expect(422)).text).toBe(fail('the request body is null; send a JSON object ({"field": value, ...})'));
    });

    it('answers 404 under the toggle path with more after the slash', async () => {
      await get('/api/toggleWireguardConfiguration/wg0?configurationName=wg0').expect(404);
    });
  });

  describe('renameWireguardConfiguration', () => {
    it('answers upstream’s bytes for missing, unknown and existing names; refuses a hostile new name', async () => {
      await replay('renameWireguardConfiguration-missing');
      await replay('renameWireguardConfiguration-unknown');
      await replay('renameWireguardConfiguration-existing-name');
      const res = await post('/api/renameWireguardConfiguration', { ConfigurationName: 'wg1', NewConfigurationName: 'x;reboot' }).expect(200);
      expect(res.text).toBe(
        fail('Please provide a valid configuration name: a configuration name is 1 to 15 letters, digits or _ = . - (not starting with "-"), such as wg0'),
      );
      const reserved = await post('/api/renameWireguardConfiguration', { ConfigurationName: 'wg1', NewConfigurationName: 'ifb-wg1' }).expect(200);
      expect(reserved.text).toBe(fail('Please provide a valid configuration name: names starting with "ifb-" or "ifb=" are reserved for traffic shaping'));
      expect(await db.query('SELECT 1 FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'wg1'])).toHaveLength(1);
    });

    it('renames wg1 to wg2 as recorded: the old interface leaves the node, the new one is stopped until switched on', async () => {
      const [row] = await db.query('SELECT id FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'wg1']);
      const id = Number(row.id);
      // Switched on by its update above.
      expect(await serverRow(id)).toMatchObject({ enabled: true });
      await waitFor('wg1 on the node', () => onNode('wg1'));
      await replay('renameWireguardConfiguration-wg1-to-wg2');
      expect(await serverRow(id)).toMatchObject({ interface: 'wg2', enabled: false });
      await waitFor('wg1 off the node', () => !onNode('wg1'));
      expect(onNode('wg2')).toBe(false);
      expect((await get('/api/toggleWireguardConfiguration?configurationName=wg2').expect(200)).text).toBe(ok('true'));
      await waitFor('wg2 on the node', () => onNode('wg2'));
      await waitFor('no removal left', async () => (await db.query('SELECT 1 FROM server_removal WHERE server_id = $1', [id])).length === 0);
    });
  });

  describe('getWireguardConfigurationRealtimeTraffic', () => {
    it('answers upstream’s 404 for an unknown name, int zeros when off, MB/s floats when on', async () => {
      await replay('getWireguardConfigurationRealtimeTraffic-unknown');
      await post('/api/addWireguardConfiguration', addBody('wg4', '10.66.40.1/24', 51840)).expect(200);
      await adopt('wg4');
      expect((await get('/api/getWireguardConfigurationRealtimeTraffic?configurationName=wg4').expect(200)).text).toBe(ok('{"recv":0,"sent":0}'));
      fake.interfaceRates.set(FakeNodeDriver.key(nodeId, 'wg2'), { rxPerSecond: 1.5 * 1024 * 1024, txPerSecond: 1234 });
      await waitFor('wg2 on the node', () => onNode('wg2'));
      expect((await get('/api/getWireguardConfigurationRealtimeTraffic?configurationName=wg2').expect(200)).text).toBe(ok('{"recv":1.5,"sent":0.001}'));
      fake.interfaceRates.delete(FakeNodeDriver.key(nodeId, 'wg2'));
      expect((await get('/api/getWireguardConfigurationRealtimeTraffic?configurationName=wg2').expect(200)).text).toBe(ok('{"recv":0.0,"sent":0.0}'));
    });
  });

  describe('deleteWireguardConfiguration', () => {
    it('answers upstream’s 404 for an unknown name; refuses a configuration lent to portal customers', async () => {
      await replay('deleteWireguardConfiguration-unknown');
      const res = await post('/api/deleteWireguardConfiguration', { ConfigurationName: 'wg3' }).expect(200);
      expect(JSON.parse(res.text)).toMatchObject({
        status: false,
        message: expect.stringMatching(/^Configuration wg3 is lent to portal customers and keeps their users: server \d+ still has 1 assignment\(s\); delete them first/),
      });
    });

    it('deletes wg0 and wg2 as recorded: their interfaces leave the node', async () => {
      await replay('deleteWireguardConfiguration-wg0');
      await replay('deleteWireguardConfiguration-wg2');
      await waitFor('wg0 and wg2 off the node', () => !onNode('wg0') && !onNode('wg2'));
      const names = (JSON.parse((await get('/api/getWireguardConfigurations')).text).data as Array<{ Name: string }>).map((c) => c.Name);
      expect(names).toEqual(['wg3', 'wg4']);
    });
  });

  describe('authentication', () => {
    it('needs a key for a configuration named like upstream’s whitelist (localeX, authenticate)', async () => {
      await post('/api/addWireguardConfiguration', addBody('localeX', '10.66.50.1/24', 51850)).expect(200);
      for (const path of [
        '/api/toggleWireguardConfiguration?configurationName=localeX',
        '/api/getWireguardConfigurationRawFile?configurationName=localeX',
        '/api/getWireguardConfigurationRealtimeTraffic?configurationName=localeX',
      ]) {
        const res = await request(http).get(path).expect(401);
        expect(res.text).toBe(fail('Unauthorized access.'));
      }
      const res = await request(http).post('/api/deleteWireguardConfiguration').send({ ConfigurationName: 'localeX' }).expect(401);
      expect(res.text).toBe(fail('Unauthorized access.'));
      expect(await db.query('SELECT enabled FROM server WHERE node_id = $1 AND interface = $2', [nodeId, 'localeX'])).toEqual([{ enabled: false }]);
    });

    it('never shows another node’s configurations', async () => {
      const [node] = await db.query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.62') RETURNING id`, [
        `wgd-admin-other-${process.pid}-${Date.now()}`,
      ]);
      const otherKey = (await request(http).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
      const res = await request(http).get('/api/toggleWireguardConfiguration?configurationName=wg3').set('wg-dashboard-apikey', otherKey).expect(404);
      expect(res.text).toBe(fail('Please provide a valid configuration name'));
    });
  });
});
