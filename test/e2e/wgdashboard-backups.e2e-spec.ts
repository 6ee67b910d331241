import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { crc32 } from 'node:zlib';
import { DesiredStateReader } from '@wgfleet/node-sync';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { replayFixture, wgdFixture } from '../support/wgd-fixtures.js';

/**
 * Configuration backups (notes §2.12-2.17): kept in Postgres, made from the configuration's file,
 * settings and peers with their keys, restored in one transaction. The recorded instance's peers
 * are made again here with their own keys, so the recorded `.sql` text and the peers after a
 * restore can be compared byte for byte.
 */
describe('WGDashboard API: configuration backups', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let server: TestServer;
  let key: string;

  const ORACLE_SERVER_PUBLIC_KEY = 'vVa4KeL+7jnTpNs79MjUdTUkoD17XH2mFu3FlHbirUs=';
  // The recorded peers, in the order the recorded dump lists them.
  const CAFE = 'g/8Ba7PdqCF6duAKur+8WazQVRZM+1GI+82KlUf+dC4=';
  const BULK_2 = '714HTmImny67auxaf9dFWm3C7KAuFw5hxRXAWC1u3nM=';
  const BULK_3 = '6mh216S8pADugahiO8T2q8bqEXpbkYraX7BB1zFATF0=';
  const PEER_A = 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=';
  const RECORDED_PEERS = [
    { name: 'café ☕ 😀', public_key: CAFE, private_key: 'CPgLMGvU1Pe5tWLVNoCA0LitE+cZa75lACaggitzwno=', allowed_ips: ['10.66.7.3/32'] },
    {
      name: 'BulkPeer_2_20261123_224018',
      public_key: BULK_2,
      private_key: 'yGci3aanNw5DrAc8PB9PAmFarqRDJ5QKl8dCBF7kR10=',
      preshared_key: 'MLuX9nl+zN6RzZEemg0TjHB5n6m7miTNudMMNcFRNVQ=',
      allowed_ips: ['10.66.7.4/32'],
    },
    {
      name: 'BulkPeer_3_20261123_224018',
      public_key: BULK_3,
      private_key: 'OI2fWu+VOlCtzOyF1QpCQHrJvCPcnOwA0mh4Pdn5B2o=',
      preshared_key: 'gBPNGlpkc8MuxekEzYMPqhKbdvhht5h6y9G0SZqqPmU=',
      allowed_ips: ['10.66.7.5/32'],
    },
    {
      name: 'oracle peer A renamed',
      public_key: PEER_A,
      private_key: 'uEDTHJ6U1mamCqoFz8J9tSPtdb/c9ULRKr67YoAW+Vs=',
      allowed_ips: ['10.66.7.2/32'],
      DNS: '9.9.9.9',
      endpoint_allowed_ip: '0.0.0.0/0, ::/0',
      mtu: 1400,
      keepalive: 25,
    },
  ];

  const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
  const replay = (name: string) => replayFixture(http, name, key);
  function expectFixture(name: string, res: request.Response) {
    const fixture = wgdFixture(name);
    expect({ status: res.status, type: res.headers['content-type'], body: res.text }).toEqual({ status: fixture.status, type: 'application/json', body: fixture.body });
  }
  const reader = () => app.get(DesiredStateReader);
  const backupsOf = async () => (await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.data as Array<Record<string, unknown>>;
  const info = async () => (await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).text;

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    const admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.66.7.0/24', ipv6Subnet: null, listenPort: 51820 });
    await app.get(DataSource).query(`UPDATE server SET dns = '{}' WHERE id = $1`, [server.serverId]);
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    await wgd('post', '/api/updateDashboardConfigurationItem').send({ section: 'Peers', key: 'remote_endpoint', value: '172.16.77.1' }).expect(200);
    for (const peer of RECORDED_PEERS) {
      const res = await wgd('post', '/api/addPeers/wg0').send({ allowed_ips_validation: true, ...peer }).expect(200);
      expect(res.body).toMatchObject({ status: true });
    }
  });
  afterAll(async () => {
    await app.close();
  });

  describe('before any backup', () => {
    it('lists none, and a backup name that does not exist fails as upstream answers', async () => {
      expect((await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wg0').expect(200)).text).toBe('{"data":[],"message":null,"status":true}\n');
      expectFixture('deleteWireguardConfigurationBackup-unknown-file', await replay('deleteWireguardConfigurationBackup-unknown-file'));
      expectFixture('downloadWireguardConfigurationBackup-unknown-file', await replay('downloadWireguardConfigurationBackup-unknown-file'));
      expectFixture('restoreWireguardConfigurationBackup-unknown-file', await replay('restoreWireguardConfigurationBackup-unknown-file'));
      expect((await wgd('get', '/api/getAllWireguardConfigurationBackup').expect(200)).text).toBe(
        '{"data":{"ExistingConfigurations":{},"NonExistingConfigurations":{}},"message":null,"status":true}\n',
      );
    });

    // The recorded 404s and 400s for an unknown configuration or missing fields are replayed in wgdashboard-fixtures.e2e-spec.ts.

    it('answers 400 with upstream’s message where upstream crashes on a field without a length', async () => {
      for (const [path, message] of [
        ['/api/deleteWireguardConfigurationBackup', 'Please provide configurationName and backupFileName in body'],
        ['/api/restoreWireguardConfigurationBackup', 'Please provide ConfigurationName and BackupFileName in body'],
      ]) {
        // A body that is not an object ('[1]') never reaches the route: 422, "send a JSON object".
        await wgd('post', path!).set('content-type', 'application/json').send('[1]').expect(422);
        for (const body of ['{"ConfigurationName":"wg0","BackupFileName":7}', '{"ConfigurationName":["wg0"],"BackupFileName":"x.conf"}', '{"ConfigurationName":"wg0","BackupFileName":null}']) {
          const res = await wgd('post', path!).set('content-type', 'application/json').send(body).expect(400);
          expect(res.text).toBe(`{"data":null,"message":"${message}","status":false}\n`);
        }
      }
    });
  });

  describe('a backup, changes, and the restore', () => {
    let fileName: string;
    let contentAtBackup: string;
    let infoAtBackup: string;

    it('creates a backup holding the configuration’s file and answers the full list', async () => {
      contentAtBackup = (await wgd('get', '/api/getWireguardConfigurationRawFile?configurationName=wg0').expect(200)).body.data.content;
      infoAtBackup = await info();
      const res = await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg0').expect(200);
      const [backup] = res.body.data as Array<{ filename: string; backupDate: string }>;
      fileName = backup!.filename;
      expect(fileName).toMatch(/^wg0_\d{14}\.conf$/);
      expect(backup!.backupDate).toBe(fileName.slice(4, 18));
      expect(res.text).toBe(
        `{"data":[{"backupDate":"${backup!.backupDate}","content":${JSON.stringify(contentAtBackup)},"database":true,"filename":"${fileName}"}],"message":null,"status":true}\n`,
      );
      expect(contentAtBackup).toContain(`PublicKey = ${BULK_2}\nPresharedKey = MLuX9nl+zN6RzZEemg0TjHB5n6m7miTNudMMNcFRNVQ=`);
      expect(await backupsOf()).toEqual(res.body.data);
    });

    it('lists it in getAll with the recorded `.sql` text of the same peers', async () => {
      const res = await wgd('get', '/api/getAllWireguardConfigurationBackup').expect(200);
      const recorded = JSON.parse(wgdFixture('getAllWireguardConfigurationBackup').body).data.ExistingConfigurations.wg0[0].databaseContent as string;
      const [backup] = res.body.data.ExistingConfigurations.wg0;
      expect(backup.databaseContent).toBe(recorded);
      expect(Object.keys(backup).sort()).toEqual(['backupDate', 'content', 'database', 'databaseContent', 'filename']);
      expect(res.body.data.NonExistingConfigurations).toEqual({});
      // Non-ASCII in the dump is \u-escaped in the envelope, as upstream's bytes show.
      expect(res.text).toContain("'caf\\u00e9 \\u2615 \\ud83d\\ude00'");
    });

    it('keeps the keys sealed in Postgres', async () => {
      const [row] = await app.get(DataSource).query(`SELECT snapshot FROM wgd_backup WHERE node_id = $1 AND file_name = $2`, [server.nodeId, fileName]);
      const stored = (row.snapshot as Buffer).toString('latin1');
      for (const secret of ['CPgLMGvU1Pe5tWLVNoCA0LitE', 'MLuX9nl+zN6RzZEemg0TjHB5n6m7miTNudMMNcFRNVQ=', 'INSERT INTO']) expect(stored).not.toContain(secret);
    });

    it('downloads it as a zip of the .conf and .sql, served only under the name handed out', async () => {
      const res = await wgd('get', `/api/downloadWireguardConfigurationBackup?configurationName=wg0&backupFileName=${fileName}`).expect(200);
      expect(res.text).toMatch(/^\{"data":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.zip","message":null,"status":true\}\n$/);
      const zipName = res.body.data as string;
      // No key needed, as upstream's whitelist has it.
      const zip = await request(http)
        .get(`/fileDownload?file=${zipName}`)
        .buffer(true)
        .parse((response, done) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(zip.headers['content-type']).toBe('application/zip');
      expect(zip.headers['content-disposition']).toBe(`attachment; filename=${zipName}`);
      const entries = readZip(zip.body as Buffer);
      const recorded = JSON.parse(wgdFixture('getAllWireguardConfigurationBackup').body).data.ExistingConfigurations.wg0[0].databaseContent as string;
      expect(entries).toEqual([
        { name: fileName, content: contentAtBackup },
        { name: fileName.replace('.conf', '.sql'), content: recorded },
      ]);

      for (const file of ['', '../../../../etc/hostname', fileName, zipName.toUpperCase(), `${zipName.slice(0, -4)}.conf`, '00000000-0000-4000-8000-000000000000.zip']) {
        const refused = await request(http).get(`/fileDownload?file=${encodeURIComponent(file)}`).expect(200);
        expect(refused.text).toBe(`{"data":null,"message":"${file === '' ? 'Please specify a file' : 'File does not exist'}","status":false}\n`);
      }
      expect((await request(http).get('/fileDownload').expect(200)).text).toBe('{"data":null,"message":"Please specify a file","status":false}\n');
    });

    it('restores the peers with their keys and addresses, drops the later ones, and leaves the configuration off', async () => {
      // The configuration moves on: another port, a peer deleted, one changed, one restricted, one added.
      await wgd('post', '/api/updateWireguardConfiguration')
        .send({ Name: 'wg0', Address: '10.66.7.1/24', ListenPort: 51821, PreUp: '', PostUp: 'echo changed', PreDown: '', PostDown: '', Table: '' })
        .expect(200);
      await wgd('post', '/api/deletePeers/wg0').send({ peers: [CAFE] }).expect(200);
      await wgd('post', '/api/restrictPeers/wg0').send({ peers: [BULK_2] }).expect(200);
      const peerA = RECORDED_PEERS[3]!;
      await wgd('post', '/api/updatePeerSettings/wg0')
        .send({ id: PEER_A, name: 'changed', private_key: peerA.private_key, DNS: '8.8.8.8', allowed_ip: '10.66.7.9/32', endpoint_allowed_ip: '0.0.0.0/0', preshared_key: '', mtu: 1420, keepalive: 21 })
        .expect(200);
      const added = await wgd('post', '/api/addPeers/wg0').send({ name: 'later', allowed_ips: ['10.66.7.2/32'] }).expect(200);
      const laterKey = added.body.data[0].id as string;
      expect(await info()).not.toBe(infoAtBackup);

      const res = await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: fileName }).expect(200);
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');

      // The peers as the recorded instance showed them after its restore, configuration object ours (off now).
      const fixture = wgdFixture('getWireguardConfigurationInfo-wg0-after-restore');
      const now = await info();
      const ours = /"configurationInfo":(\{"Address".*?"TotalPeers":\d+\})/.exec(now)![1]!;
      const theirs = /"configurationInfo":(\{"Address".*?"TotalPeers":\d+\})/.exec(fixture.body)![1]!;
      expect(now).toBe(fixture.body.replaceAll(theirs, ours));
      expect(JSON.parse(ours)).toMatchObject({ Status: false, ListenPort: '51820', PostUp: '', Name: 'wg0' });
      expect(JSON.parse(ours).PublicKey).toBe(server.publicKey);
      expect(fixture.body).toContain(ORACLE_SERVER_PUBLIC_KEY);

      const snapshot = (await reader().read(server.serverId))!;
      expect(snapshot.enabled).toBe(false);
      const peers = snapshot.desired.peersConfig;
      expect(peers).not.toContain(laterKey);
      expect(peers).toContain(`PublicKey = ${CAFE}\nAllowedIPs = 10.66.7.3/32`);
      expect(peers).toContain(`PublicKey = ${BULK_2}\nPresharedKey = MLuX9nl+zN6RzZEemg0TjHB5n6m7miTNudMMNcFRNVQ=\nAllowedIPs = 10.66.7.4/32`);
      expect(peers).toContain(`PublicKey = ${BULK_3}\nPresharedKey = gBPNGlpkc8MuxekEzYMPqhKbdvhht5h6y9G0SZqqPmU=\nAllowedIPs = 10.66.7.5/32`);
      expect(peers).toContain(`PublicKey = ${PEER_A}\nAllowedIPs = 10.66.7.2/32`);
      expect(peers).toContain('ListenPort = 51820');
      // The file the backup holds is the configuration's file again.
      expect((await wgd('get', '/api/getWireguardConfigurationRawFile?configurationName=wg0').expect(200)).body.data.content).toBe(contentAtBackup);
    });

    it('changes nothing when a restore is refused (a portal user took a backed-up peer’s address)', async () => {
      await wgd('post', '/api/deletePeers/wg0').send({ peers: [CAFE] }).expect(200);
      const customer = await makeAccount(app, 'customer');
      const assignment = await assign(app, server.serverId, customer.id);
      const tenant = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'laptop' }).expect(201);
      expect(tenant.body.client_ip).toBe('10.66.7.3');
      const before = await info();
      // deletePeers switched the configuration on, as upstream's peer calls do.
      const { generation, enabled } = (await reader().read(server.serverId))!;
      expect(enabled).toBe(true);

      const res = await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: fileName }).expect(200);
      expect(res.body).toEqual({ data: null, message: "Restore backup failed: 10.66.7.3 is already another peer's address on this server", status: false });
      expect(await info()).toBe(before);
      const after = (await reader().read(server.serverId))!;
      expect(after.generation).toBe(generation);
      expect(after.enabled).toBe(true);
      expect(after.desired.peersConfig).toContain(tenant.body.public_key);
    });

    it('restores around a portal user: the tenant’s user stays, the operator’s peers come back', async () => {
      await app.get(DataSource).query(`DELETE FROM wg_user WHERE server_id = $1 AND assignment_id IS NOT NULL`, [server.serverId]);
      const customer = await makeAccount(app, 'customer');
      const assignment = await assign(app, server.serverId, customer.id);
      await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'phone' }).expect(201);
      const tenant = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'tablet' }).expect(201);
      expect(tenant.body.client_ip).toBe('10.66.7.6');
      await app.get(DataSource).query(`DELETE FROM wg_user WHERE server_id = $1 AND client_name = 'phone'`, [server.serverId]);
      await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: fileName }).expect(200);
      const peers = (await reader().read(server.serverId))!.desired.peersConfig;
      for (const peer of [CAFE, BULK_2, BULK_3, PEER_A, tenant.body.public_key]) expect(peers).toContain(peer);
    });

    it('deletes a backup by its exact name only, and lists the rest newest first', async () => {
      await app.get(DataSource).query(`UPDATE wgd_backup SET file_name = 'wg0_20200101000000.conf', created_at = now() - interval '1 day' WHERE node_id = $1`, [server.nodeId]);
      await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg0').expect(200);
      const listed = await backupsOf();
      expect(listed.map((backup) => backup.filename)).toEqual([expect.stringMatching(/^wg0_\d{14}\.conf$/), 'wg0_20200101000000.conf']);
      expect(listed[1]).toMatchObject({ backupDate: '20200101000000', content: contentAtBackup, database: true });

      for (const name of ['../wg0_20200101000000.conf', 'wg0_20200101000000', 'WG0_20200101000000.conf']) {
        const res = await wgd('post', '/api/deleteWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: name }).expect(404);
        expect(res.text).toBe('{"data":null,"message":"Backup file does not exist","status":false}\n');
      }
      const res = await wgd('post', '/api/deleteWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: 'wg0_20200101000000.conf' }).expect(200);
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect((await backupsOf()).map((backup) => backup.filename)).toEqual([listed[0]!.filename]);
    });

    it('keeps the backups of a deleted configuration under NonExistingConfigurations', async () => {
      await app.get(DataSource).query(`DELETE FROM wg_user WHERE server_id = $1 AND assignment_id IS NOT NULL`, [server.serverId]);
      await app.get(DataSource).query(`DELETE FROM assignment WHERE server_id = $1`, [server.serverId]);
      await wgd('post', '/api/deleteWireguardConfiguration').send({ ConfigurationName: 'wg0' }).expect(200);
      const res = await wgd('get', '/api/getAllWireguardConfigurationBackup').expect(200);
      expect(res.body.data.ExistingConfigurations).toEqual({});
      const [backup] = res.body.data.NonExistingConfigurations.wg0;
      expect(Object.keys(backup).sort()).toEqual(['backupDate', 'content', 'database', 'databaseContent', 'filename', 'protocol']);
      expect(backup).toMatchObject({ protocol: 'wg', database: true });
      expect(backup.content).toContain(`PublicKey = ${BULK_3}`);
      expect(backup.databaseContent).toContain(`INSERT INTO "wg0" VALUES('${BULK_3}'`);
      // The tenant's user it also lists goes into the dump as well (restores leave tenants' users alone).
      expect(backup.databaseContent).toContain(`'tablet'`);
    });

    it('makes a new configuration from a backup (addWireguardConfiguration’s Backup), its operator’s peers included, switched off', async () => {
      // Upstream's required fields are sent; a configuration made from a backup takes the backup's own.
      const addFrom = (name: string, backupName: unknown) =>
        wgd('post', '/api/addWireguardConfiguration')
          .send({ ConfigurationName: name, Address: '10.99.9.1/24', ListenPort: 51999, PrivateKey: generateKeyPair().privateKey, Protocol: 'wg', Backup: backupName })
          .expect(200);
      const all = await wgd('get', '/api/getAllWireguardConfigurationBackup').expect(200);
      const [backup] = all.body.data.NonExistingConfigurations.wg0 as Array<{ filename: string }>;
      for (const name of ['nope.conf', `../${backup!.filename}`, '', 7]) {
        expect((await addFrom('wg1', name)).text).toBe('{"data":null,"message":"Backup does not exist","status":false}\n');
      }
      expect((await addFrom('wg1', backup!.filename)).text).toBe('{"data":null,"message":null,"status":true}\n');

      const res = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg1').expect(200);
      const peers = res.body.data.configurationPeers as Array<Record<string, unknown>>;
      expect(res.body.data.configurationInfo).toMatchObject({ Name: 'wg1', Status: false, ListenPort: '51820', Address: '10.66.7.1/24', PublicKey: server.publicKey });
      expect(peers.map((peer) => [peer.id, peer.allowed_ip, peer.private_key, peer.preshared_key])).toEqual(
        RECORDED_PEERS.map((peer) => [peer.public_key, peer.allowed_ips[0], peer.private_key, peer.preshared_key ?? '']),
      );
      expect(peers[3]).toMatchObject({ name: 'oracle peer A renamed', DNS: '9.9.9.9', endpoint_allowed_ip: '0.0.0.0/0, ::/0', mtu: 1400, keepalive: 25 });
      // A second one from the same backup wants the same port on this node: refused with the fleet's reason, nothing made.
      const again = await addFrom('wg2', backup!.filename);
      expect(again.body).toMatchObject({ status: false, message: expect.stringContaining('51820') });
      await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg2').expect(200, '{"data":null,"message":"Please provide configuration name","status":false}\n');
    });

    it('restores a restricted peer as restricted, with its keys', async () => {
      await wgd('post', '/api/restrictPeers/wg1').send({ peers: [BULK_3] }).expect(200);
      const created = await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg1').expect(200);
      const backup = created.body.data[0].filename as string;
      await wgd('post', '/api/allowAccessPeers/wg1').send({ peers: [BULK_3] }).expect(200);
      await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg1', BackupFileName: backup }).expect(200);
      const res = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg1').expect(200);
      expect(res.body.data.configurationRestrictedPeers).toEqual([
        expect.objectContaining({ id: BULK_3, allowed_ip: '10.66.7.5/32', preshared_key: 'gBPNGlpkc8MuxekEzYMPqhKbdvhht5h6y9G0SZqqPmU=', private_key: 'OI2fWu+VOlCtzOyF1QpCQHrJvCPcnOwA0mh4Pdn5B2o=' }),
      ]);
      expect(res.body.data.configurationPeers.map((peer: { id: string }) => peer.id)).toEqual([CAFE, BULK_2, PEER_A]);
      const [wg1] = await app.get(DataSource).query(`SELECT id FROM server WHERE node_id = $1 AND interface = 'wg1'`, [server.nodeId]);
      expect((await reader().read(Number(wg1.id)))!.desired.peersConfig).not.toContain(BULK_3);
    });
  });

  it('serves /fileDownload under WGD_APP_PREFIX, without upstream’s /api CORS headers', async () => {
    const prefixed = await startTestApp({ WGD_APP_PREFIX: '/wgd' });
    try {
      const res = await request(prefixed.getHttpServer()).get('/wgd/fileDownload?file=x.zip').expect(200);
      expect(res.text).toBe('{"data":null,"message":"File does not exist","status":false}\n');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      await request(prefixed.getHttpServer()).get('/fileDownload?file=x.zip').expect(404);
    } finally {
      await prefixed.close();
    }
  });

  it('keeps each node’s backups to its own keys', async () => {
    const admin = await makeAccount(app, 'admin');
    const other = await makeServer(app, { ipv4Subnet: '10.66.8.0/24', ipv6Subnet: null, listenPort: 51820 });
    const otherKey = (await request(http).post(`/api/admin/nodes/${other.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    const res = await request(http).get('/api/getAllWireguardConfigurationBackup').set('wg-dashboard-apikey', otherKey).expect(200);
    expect(res.text).toBe('{"data":{"ExistingConfigurations":{},"NonExistingConfigurations":{}},"message":null,"status":true}\n');
  });
});

/** The entries of a zip, read through its central directory with their CRCs checked. */
function readZip(zip: Buffer): Array<{ name: string; content: string }> {
  const end = zip.length - 22;
  expect(zip.readUInt32LE(end)).toBe(0x06054b50);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let index = 0; index < zip.readUInt16LE(end + 10); index++) {
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const localAt = zip.readUInt32LE(at + 42);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const content = zip.subarray(dataAt, dataAt + size);
    expect(crc32(content)).toBe(zip.readUInt32LE(at + 16));
    entries.push({ name: zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'), content: content.toString('utf8') });
    at += 46 + nameLength;
  }
  return entries;
}
