import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DesiredStateReader } from '@wgfleet/node-sync';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { replayFixture, wgdFixture } from '../support/wgd-fixtures.js';

/**
 * The peers of a configuration (notes §2.18-2.22, 2.26-2.28, 2.34, 2.35, 2.41), replaying the real
 * 4.2.5's recorded answers where they do not depend on its keys: the configuration object each peer
 * embeds, and the server's key in a download, are this server's.
 */
describe('WGDashboard API: peers', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let server: TestServer;
  let key: string;
  let admin: { id: number; key: string };

  // The recorded instance's server keys, which the fixtures carry.
  const ORACLE_SERVER_PUBLIC_KEY = 'vVa4KeL+7jnTpNs79MjUdTUkoD17XH2mFu3FlHbirUs=';
  const PEER_A = 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=';
  const PEER_C = '5oBDGLHAY4S20pGdFQl/ffu07npMfXPs01oQG0lc/yU=';

  const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
  /** Sends a recorded request with our key; returns the response. */
  const replay = (name: string) => replayFixture(http, name, key);
  /** The embedded configuration objects of a body, to swap the recorded one for ours. */
  const configurationText = (body: string) => /"configuration":(\{"Address".*?"TotalPeers":\d+\})/.exec(body)?.[1];

  /** Recorded bytes with the recorded configuration object (and server key) replaced by ours. */
  function expectRecorded(name: string, res: request.Response, status = 200) {
    const fixture = wgdFixture(name);
    let expected = fixture.body;
    const theirs = configurationText(expected);
    const ours = configurationText(res.text);
    if (theirs && ours) expected = expected.replaceAll(theirs, ours);
    expected = expected.replaceAll(ORACLE_SERVER_PUBLIC_KEY, server.publicKey);
    expect({ status: res.status, body: res.text }).toEqual({ status, body: expected });
    expect(fixture.status).toBe(status);
  }

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.66.7.0/24', ipv6Subnet: null, listenPort: 51820 });
    // The recorded instance had wg0 up and no DNS of its own: the peers' DNS is the setting's.
    await app.get(DataSource).query(`UPDATE server SET dns = '{}' WHERE id = $1`, [server.serverId]);
    await app.get(DataSource).query(`INSERT INTO server_status (server_id, interface, polled_at) VALUES ($1, 'up', now())`, [server.serverId]);
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    await wgd('post', '/api/updateDashboardConfigurationItem').send({ section: 'Peers', key: 'remote_endpoint', value: '172.16.77.1' }).expect(200);
  });
  afterAll(async () => {
    await app.close();
  });

  describe('addPeers', () => {
    it('adds a peer with its own keys and address, answering upstream’s bytes', async () => {
      expectRecorded('addPeers-wg0-single-with-keys', await replay('addPeers-wg0-single-with-keys'));
    });

    it('generates keys and takes the first free address; a non-ASCII name comes back \\u-escaped', async () => {
      const res = await replay('addPeers-wg0-single-non-ascii-name-generated-keys').expect(200);
      expect(res.text).toContain('"allowed_ip":"10.66.7.3/32"');
      expect(res.text).toContain('"name":"caf\\u00e9 \\u2615 \\ud83d\\ude00"');
      expect(res.body.data[0].private_key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    });

    it('adds in bulk: BulkPeer_2_… first, ascending addresses, preshared keys when asked', async () => {
      const res = await replay('addPeers-wg0-bulk-2').expect(200);
      const peers = res.body.data as Array<Record<string, string>>;
      expect(peers.map((peer) => [peer.name.replace(/_\d{8}_\d{6}$/, ''), peer.allowed_ip])).toEqual([
        ['BulkPeer_2', '10.66.7.4/32'],
        ['BulkPeer_3', '10.66.7.5/32'],
      ]);
      expect(peers.every((peer) => peer.preshared_key.length === 44)).toBe(true);
      expect(configurationText(res.text)).toContain('"TotalPeers":4');
    });

    it('adds a peer that brings only its public key, with its own DNS, keepalive, MTU and endpoint_allowed_ip', async () => {
      expectRecorded('addPeers-wg0-single-public-key-only', await replay('addPeers-wg0-single-public-key-only'));
    });

    it.each([
      'addPeers-unknown-config',
      'addPeers-wg0-duplicate-public-key',
      'addPeers-wg0-ip-host-bits',
      'addPeers-wg0-ip-not-in-subnet',
      'addPeers-wg0-key-mismatch',
      'addPeers-wg0-bulk-zero',
    ])('refuses as upstream: %s', async (name) => {
      expectRecorded(name, await replay(name));
    });

    it('brings a stopped configuration up, as upstream’s wg-quick up does', async () => {
      const db = app.get(DataSource);
      await db.query(`UPDATE server SET enabled = false WHERE id = $1`, [server.serverId]);
      await wgd('post', '/api/addPeers/wg0').send({ name: 'wakes it', allowed_ips: ['10.66.7.40/32'] }).expect(200);
      expect((await db.query(`SELECT enabled FROM server WHERE id = $1`, [server.serverId]))[0].enabled).toBe(true);
      await wgd('post', '/api/deletePeers/wg0').send({ peers: [(await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0')).body.data.configurationPeers.find((p: { name: string }) => p.name === 'wakes it').id] }).expect(200);
    });

    it('counts the free addresses as upstream (network and broadcast included) when a bulk asks for too many', async () => {
      const res = await wgd('post', '/api/addPeers/wg0').send({ bulkAdd: true, bulkAddAmount: 1000 }).expect(200);
      // Six addresses used: the server's and five peers'.
      expect(res.text).toBe('{"data":null,"message":"The maximum number of peers can add is 250","status":false}\n');
    });

    it.each([
      ['a name with shell and path text is kept as a name, never used as one', { name: "x';rm -rf /;../../etc", allowed_ips: ['10.66.7.30/32'] }, true],
      ['allowed_ips with ${IFS}', { allowed_ips: ['10.66.7.31/32;sleep${IFS}5'] }, false],
      ['a public key with shell metacharacters', { public_key: 'AAA;echo WGD_POC;' }, false],
      ['an address another peer holds', { allowed_ips: ['10.66.7.2/32'] }, false],
    ])('%s', async (_, body, ok) => {
      const res = await wgd('post', '/api/addPeers/wg0').send(body as object).expect(200);
      expect(res.body.status).toBe(ok);
      if (!ok) expect(res.body.message).toMatch(/\S/);
    });

    it('refuses a body that is a list (upstream’s catch-all) with 422, saying to send a JSON object', async () => {
      const res = await wgd('post', '/api/addPeers/wg0').send([1, 2]).expect(422);
      expect(res.body).toEqual({ data: null, message: expect.stringContaining('send a JSON object'), status: false });
    });
  });

  describe('reads', () => {
    it('getWireguardConfigurationInfo: the configuration, its peers, its restricted peers', async () => {
      const res = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
      expect(Object.keys(res.body.data)).toEqual(['configurationInfo', 'configurationPeers', 'configurationRestrictedPeers']);
      expect(res.body.data.configurationPeers[0].id).toBe(PEER_A);
      expect(res.body.data.configurationRestrictedPeers).toEqual([]);
      for (const name of ['getWireguardConfigurationInfo-no-param', 'getWireguardConfigurationInfo-unknown']) expectRecorded(name, await replay(name));
    });

    it('getAvailableIPs and getNumberOfAvailableIPs: free addresses per Address item', async () => {
      const available = await wgd('get', '/api/getAvailableIPs/wg0').expect(200);
      expect(available.body.data['10.66.7.1/24'].slice(0, 3)).toEqual(['10.66.7.6/32', '10.66.7.7/32', '10.66.7.8/32']);
      expect(available.body.data['10.66.7.1/24']).not.toContain('10.66.7.20/32');
      expectRecorded('getAvailableIPs-unknown', await replay('getAvailableIPs-unknown'));
      const count = await wgd('get', '/api/getNumberOfAvailableIPs/wg0').expect(200);
      // 256 addresses less the server's and six peers' (upstream's count keeps network and broadcast).
      expect(count.text).toBe('{"data":{"10.66.7.1/24":249},"message":null,"status":true}\n');
    });

    it('downloadPeer: upstream’s file and name; errors as upstream, a missing id a 400 that says what to send', async () => {
      expectRecorded('downloadPeer-wg0-peer-a', await replay('downloadPeer-wg0-peer-a'));
      for (const name of ['downloadPeer-unknown-config', 'downloadPeer-wg0-unknown-peer']) expectRecorded(name, await replay(name));
      const noId = await wgd('get', '/api/downloadPeer/wg0').expect(400);
      expect(noId.body).toEqual({ data: null, message: 'Please provide the peer to download as ?id=<public key>', status: false });
    });

    it('downloadAllPeers: every active peer’s file', async () => {
      const res = await wgd('get', '/api/downloadAllPeers/wg0').expect(200);
      expect(res.body.data.map((file: { fileName: string }) => file.fileName)).toContain('oraclepeerA');
      expectRecorded('downloadAllPeers-unknown-config', await replay('downloadAllPeers-unknown-config'));
    });

    it('ping/getAllPeersIpAddress: "name - key" of every active peer with its host addresses', async () => {
      const res = await wgd('get', '/api/ping/getAllPeersIpAddress').expect(200);
      expect(res.body.data.wg0[`oracle peer A - ${PEER_A}`]).toEqual({ allowed_ips: ['10.66.7.2'], endpoint: 'N/A' });
      expect(res.text).toContain('"caf\\u00e9 \\u2615 \\ud83d\\ude00 - ');
    });
  });

  describe('updatePeerSettings', () => {
    it.each([
      'updatePeerSettings-unknown-config',
      'updatePeerSettings-wg0-ip-taken',
      'updatePeerSettings-wg0-bad-endpoint-allowed-ip',
      'updatePeerSettings-wg0-bad-mtu',
      'updatePeerSettings-wg0-bad-keepalive',
      'updatePeerSettings-wg0-key-mismatch',
      'updatePeerSettings-wg0-unknown-peer',
    ])('refuses as upstream: %s', async (name) => {
      expectRecorded(name, await replay(name));
    });

    it('answers 400 with the missing keys where upstream crashes', async () => {
      const res = await replay('updatePeerSettings-wg0-missing-keys').expect(400);
      expect(res.text).toBe(
        '{"data":null,"message":"Please provide name, private_key, DNS, allowed_ip, endpoint_allowed_ip, preshared_key, mtu, keepalive","status":false}\n',
      );
    });

    it.each([
      ['allowed_ip with shell text (CVE-2026-15733)', { allowed_ip: '10.66.7.2/32;sleep${IFS}5' }, 'Update peer failed when updating Allowed IPs'],
      ['a DNS line that would add a line to the client file', { DNS: '1.1.1.1\nPostUp = id' }, 'DNS format is incorrect'],
    ])('refuses %s', async (_, change, message) => {
      const body = { ...JSON.parse(wgdFixture('updatePeerSettings-wg0-peer-a').request.body as string), ...change };
      const res = await wgd('post', '/api/updatePeerSettings/wg0').send(body).expect(200);
      expect(res.body).toEqual({ data: null, message, status: false });
    });

    it('updates the peer; its download shows the change', async () => {
      expectRecorded('updatePeerSettings-wg0-peer-a', await replay('updatePeerSettings-wg0-peer-a'));
      expectRecorded('downloadPeer-wg0-peer-a-updated', await replay('downloadPeer-wg0-peer-a-updated'));
    });
  });

  describe('resetPeerData', () => {
    it('zeroes the counted traffic (received, then all), as upstream answers', async () => {
      const db = app.get(DataSource);
      const [peer] = await db.query(`SELECT id FROM wg_user WHERE server_id = $1 AND public_key = $2`, [server.serverId, PEER_A]);
      const GIB = 1024 ** 3;
      // The poller saw 2 GiB received (1.5 of them this run of the interface) and 1 GiB sent.
      await db.query(
        `INSERT INTO peer_status (user_id, server_id, latest_handshake_at, rx_total, tx_total, rx_last_raw, tx_last_raw) VALUES ($1, $2, now(), $3, $4, $5, $4)`,
        [peer.id, server.serverId, 2 * GIB, GIB, 1.5 * GIB],
      );
      const peerA = async () =>
        (await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200)).body.data.configurationPeers.find((p: { id: string }) => p.id === PEER_A);
      expect(await peerA()).toMatchObject({ total_receive: 1.5, cumu_receive: 0.5, total_sent: 1 });

      const receive = await wgd('post', '/api/resetPeerData/wg0').send({ id: PEER_A, type: 'receive' }).expect(200);
      expect(receive.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect(await peerA()).toMatchObject({ total_receive: 0, cumu_receive: 0, total_sent: 1 });
      expectRecorded('resetPeerData-wg0-total', await replay('resetPeerData-wg0-total'));
      expect(await peerA()).toMatchObject({ total_receive: 0, total_sent: 0, total_data: 0, cumu_data: 0 });
      for (const name of ['resetPeerData-wg0-bad-type', 'resetPeerData-wg0-unknown-peer']) expectRecorded(name, await replay(name));
      expect((await wgd('post', '/api/resetPeerData/wg0').send({ id: PEER_A }).expect(400)).body.message).toBe(
        'Please provide id (public key) and type (total, receive or sent)',
      );
    });
  });

  describe('restrict, allow, delete', () => {
    it('restricts: the peer leaves the node’s desired state, stays listed as restricted, and comes back when allowed', async () => {
      expectRecorded('restrictPeers-wg0-peer-a', await replay('restrictPeers-wg0-peer-a'));
      const reader = app.get(DesiredStateReader);
      expect((await reader.read(server.serverId))!.desired.peersConfig).not.toContain(PEER_A);
      const info = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
      expect(info.body.data.configurationRestrictedPeers.map((peer: { id: string }) => peer.id)).toEqual([PEER_A]);
      expect(info.body.data.configurationRestrictedPeers[0].status).toBe('stopped');
      // A restricted peer cannot be downloaded, and its address stays taken.
      expect((await wgd('get', `/api/downloadPeer/wg0?id=${encodeURIComponent(PEER_A)}`)).body.message).toBe('Peer does not exist');
      expect((await wgd('get', '/api/getAvailableIPs/wg0')).body.data['10.66.7.1/24']).not.toContain('10.66.7.2/32');

      expectRecorded('allowAccessPeers-wg0-unknown-key', await replay('allowAccessPeers-wg0-unknown-key'));
      expectRecorded('allowAccessPeers-wg0-peer-a', await replay('allowAccessPeers-wg0-peer-a'));
      expect((await reader.read(server.serverId))!.desired.peersConfig).toContain(PEER_A);
    });

    it.each(['restrictPeers-unknown-config', 'restrictPeers-wg0-empty', 'allowAccessPeers-unknown-config', 'allowAccessPeers-wg0-empty', 'deletePeers-unknown-config', 'deletePeers-wg0-empty'])(
      'answers as upstream: %s',
      async (name) => {
        const fixture = wgdFixture(name);
        expectRecorded(name, await replay(name), fixture.status);
      },
    );

    it('delete: upstream’s count; none found is the 404 upstream means to send (it crashes instead)', async () => {
      const missing = await replay('deletePeers-wg0-not-found').expect(404);
      expect(missing.text).toBe('{"data":null,"message":"No peer(s) to delete found","status":false}\n');
      expectRecorded('deletePeers-wg0-peer-c', await replay('deletePeers-wg0-peer-c'));
      const partly = await wgd('post', '/api/deletePeers/wg0').send({ peers: [generateKeyPair().publicKey, (await firstBulkKey())] }).expect(200);
      expect(partly.text).toBe('{"data":null,"message":"Deleted 1 peer(s) successfully. Failed to delete 0 peer(s)","status":false}\n');
      expect((await reader().read(server.serverId))!.desired.peersConfig).not.toContain(PEER_C);
    });

    it('answers 400 where upstream crashes on a body without a list of peers', async () => {
      const res = await wgd('post', '/api/restrictPeers/wg0').send({ peers: 'x' }).expect(400);
      expect(res.body.message).toBe('Please provide peers as a list of public keys');
    });
  });

  describe('one truth with the portal', () => {
    it('a portal user is a peer here, an operator’s peer is invisible to the tenant, and one push carries both', async () => {
      const customer = await makeAccount(app, 'customer');
      const assignment = await assign(app, server.serverId, customer.id);
      const created = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'laptop' }).expect(201);
      const info = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
      const portalPeer = info.body.data.configurationPeers.find((peer: { id: string }) => peer.id === created.body.public_key);
      expect(portalPeer).toMatchObject({ name: 'laptop', allowed_ip: `${created.body.client_ip}/32`, private_key: created.body.keys.client_private_key });

      const listed = await request(http).get(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).expect(200);
      expect(listed.body.users.map((user: { public_key: string }) => user.public_key)).toEqual([created.body.public_key]);
      const [operatorPeer] = await app.get(DataSource).query(`SELECT id FROM wg_user WHERE server_id = $1 AND public_key = $2`, [server.serverId, PEER_A]);
      await request(http).get(`/api/wg/users/${operatorPeer.id}`).set(bearer(customer.key)).expect(403);

      const desired = (await reader().read(server.serverId))!.desired.peersConfig;
      expect(desired).toContain(created.body.public_key);
      expect(desired).toContain(PEER_A);

      // The operator's view of the server holds both, each with its owner.
      const adminView = await request(http).get(`/api/admin/servers/${server.serverId}/users?limit=100`).set(bearer(admin.key)).expect(200);
      const byKey = new Map(adminView.body.users.map((user: { public_key: string }) => [user.public_key, user]));
      expect(byKey.get(created.body.public_key)).toMatchObject({ assignment_id: assignment, client_name: 'laptop', restricted: false });
      expect(byKey.get(PEER_A)).toMatchObject({ assignment_id: null, client_ip: '10.66.7.2', restricted: false });
      await request(http).get(`/api/admin/servers/${server.serverId}/users`).set(bearer(customer.key)).expect(403);
    });

    it('needs a key on every peer route, whatever the configuration is called (no substring whitelist)', async () => {
      for (const path of ['/api/downloadPeer/localeX?id=x', '/api/getAvailableIPs/isTotpEnabled', '/api/downloadAllPeers/authenticate']) {
        const res = await request(http).get(path).expect(401);
        expect(res.text).toBe('{"data":null,"message":"Unauthorized access.","status":false}\n');
      }
    });
  });

  const reader = () => app.get(DesiredStateReader);
  async function firstBulkKey(): Promise<string> {
    const info = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
    return info.body.data.configurationPeers.find((peer: { name: string }) => peer.name.startsWith('BulkPeer_')).id;
  }
});
