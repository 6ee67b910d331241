import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { replayFixture, wgdFixture } from '../support/wgd-fixtures.js';

/**
 * Share links (notes §2.23-2.25, §1.8.4): the real 4.2.5's recorded answers replayed with our
 * ShareID and server key in place of the recorded ones, the open route's limits, and a link's life
 * (expiry, restriction, rename, deletion, another node).
 */
describe('WGDashboard API: share links', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let admin: { id: number; key: string };
  let server: TestServer;
  let key: string;
  let shareId: string;

  const RECORDED_SHARE_ID = '75cab33b-c766-4b1f-bb22-37ac862f318a';
  const ORACLE_SERVER_PUBLIC_KEY = 'vVa4KeL+7jnTpNs79MjUdTUkoD17XH2mFu3FlHbirUs=';
  const PEER_A = 'ivlShmfxape8YAyZWIEaxhr+Lq2qYhd0+S+AkPeF1So=';
  // 32 random hex digits (128 bits) in the uuid shape.
  const SHARE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  const wgd = (method: 'get' | 'post', path: string, withKey = key) => request(http)[method](path).set('wg-dashboard-apikey', withKey);
  const open = (shareIdText: string) => request(http).get(`/api/sharePeer/get?ShareID=${shareIdText}`);
  const envelope = (data: string, message: string | null, status: boolean) => `{"data":${data},"message":${message === null ? 'null' : JSON.stringify(message)},"status":${status}}\n`;
  const linkJson = (id: string, expireDate: string | null = null, configuration = 'wg0', peer = PEER_A) =>
    `{"Configuration":"${configuration}","ExpireDate":${expireDate === null ? 'null' : `"${expireDate}"`},"Peer":"${peer}","ShareID":"${id}"}`;

  /** Sends a recorded request, with our key (when it had one) and our ShareID in place of the recorded ones. */
  function replay(name: string, id = shareId) {
    return replayFixture(http, name, key, (text) => text.replaceAll(RECORDED_SHARE_ID, id));
  }

  /** Status, media type, CORS header, length and bytes as recorded, our ShareID and server key swapped in. */
  function expectRecorded(name: string, res: request.Response, id = shareId) {
    const fixture = wgdFixture(name);
    const body = fixture.body.replaceAll(RECORDED_SHARE_ID, id).replaceAll(ORACLE_SERVER_PUBLIC_KEY, server.publicKey);
    expect({ status: res.status, type: res.headers['content-type'], cors: res.headers['access-control-allow-origin'], body: res.text }).toEqual({
      status: fixture.status,
      type: fixture.headers['Content-Type'],
      cors: fixture.headers['Access-Control-Allow-Origin'],
      body,
    });
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  }

  /** The serialised peer object of that key inside an answer (every peer object starts with DNS and ends with total_sent). */
  function peerText(body: string, publicKey: string): string {
    const at = body.indexOf(`"id":"${publicKey}"`);
    expect(at).toBeGreaterThan(0);
    const start = body.lastIndexOf('{"DNS":', at);
    const end = body.indexOf('}', body.indexOf('"total_sent":', at)) + 1;
    return body.slice(start, end);
  }

  const info = async (withKey = key, name = 'wg0') => (await wgd('get', `/api/getWireguardConfigurationInfo?configurationName=${name}`, withKey).expect(200)).text;

  /** A node of its own with wg0 (10.66.7.0/24 as recorded) and a key for it. */
  async function makeNode(): Promise<{ server: TestServer; key: string }> {
    const made = await makeServer(app, { ipv4Subnet: '10.66.7.0/24', ipv6Subnet: null, listenPort: 51820 });
    // The recorded instance had wg0 up and no DNS of its own.
    await db.query(`UPDATE server SET dns = '{}' WHERE id = $1`, [made.serverId]);
    await db.query(`INSERT INTO server_status (server_id, interface, polled_at) VALUES ($1, 'up', now())`, [made.serverId]);
    const madeKey = (await request(http).post(`/api/admin/nodes/${made.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;
    await wgd('post', '/api/updateDashboardConfigurationItem', madeKey).send({ section: 'Peers', key: 'remote_endpoint', value: '172.16.77.1' }).expect(200);
    return { server: made, key: madeKey };
  }

  /** Peer A as the recorder had it when it shared it: added with its keys, then updated. */
  async function addPeerA(withKey: string): Promise<void> {
    for (const name of ['addPeers-wg0-single-with-keys', 'updatePeerSettings-wg0-peer-a']) {
      const recorded = wgdFixture(name).request;
      const res = await wgd('post', recorded.path, withKey).set('content-type', 'application/json').send(recorded.body as string).expect(200);
      expect(res.body.status).toBe(true);
    }
  }

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    db = app.get(DataSource);
    admin = await makeAccount(app, 'admin');
    ({ server, key } = await makeNode());
    await addPeerA(key);
  });
  afterAll(async () => {
    await app.close();
  });

  describe('create', () => {
    it('refuses without both Configuration and Peer, as upstream', async () => {
      expectRecorded('sharePeer-create-missing', await replay('sharePeer-create-missing'));
      const nulls = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: null }).expect(200);
      expect(nulls.text).toBe(envelope('null', 'Please specify configuration and peers', false));
    });

    it('makes a link whose ShareID is 128 random bits in the uuid shape; upstream’s bytes around it', async () => {
      const res = await replay('sharePeer-create-wg0-peer-a');
      shareId = res.body.data[0].ShareID;
      expect(shareId).toMatch(SHARE_ID);
      expect(shareId.replaceAll('-', '')).toHaveLength(32);
      expectRecorded('sharePeer-create-wg0-peer-a', res);
      const [row] = await db.query(`SELECT node_id, server_id, configuration, peer, expire_date FROM wgd_share_link WHERE share_id = $1`, [shareId]);
      expect(row).toEqual({ node_id: String(server.nodeId), server_id: String(server.serverId), configuration: 'wg0', peer: PEER_A, expire_date: null });
    });

    it('answers “already sharing” with the active link (one object, not a list)', async () => {
      expectRecorded('sharePeer-create-wg0-peer-a-again', await replay('sharePeer-create-wg0-peer-a-again'));
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM wgd_share_link WHERE server_id = $1`, [server.serverId]);
      expect(count).toBe(1);
    });

    it('refuses a configuration or peer the key’s node does not have (upstream stores any names)', async () => {
      const noConfiguration = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg7', Peer: PEER_A }).expect(200);
      expect(noConfiguration.text).toBe(envelope('null', 'Configuration does not exist', false));
      const noPeer = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' }).expect(200);
      expect(noPeer.text).toBe(envelope('null', 'Peer does not exist', false));
      const notText = await wgd('post', '/api/sharePeer/create').send({ Configuration: ['wg0'], Peer: 5 }).expect(200);
      expect(notText.text).toBe(envelope('null', 'Configuration does not exist', false));
    });

    it('answers 400 with what to send for an ExpireDate that is not a text (upstream stores or crashes)', async () => {
      for (const ExpireDate of [5, ['2099-12-31 23:59:59'], { a: 1 }]) {
        const res = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A, ExpireDate }).expect(400);
        expect(res.text).toBe(envelope('null', 'Please provide ExpireDate as a text "YYYY-MM-DD HH:MM:SS" (local time) or null', false));
      }
    });

    it('needs a key', async () => {
      const res = await request(http).post('/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A }).expect(401);
      expect(res.text).toBe(envelope('null', 'Unauthorized access.', false));
      expect((await request(http).post('/api/sharePeer/update').send({ ShareID: shareId }).expect(401)).text).toBe(envelope('null', 'Unauthorized access.', false));
    });
  });

  describe('get (open)', () => {
    it('gives the peer’s file to anyone with the ShareID, as recorded', async () => {
      expectRecorded('sharePeer-get-no-key', await replay('sharePeer-get-no-key'));
    });

    it('answers a missing or unknown ShareID as upstream', async () => {
      expectRecorded('sharePeer-get-missing-no-key', await replay('sharePeer-get-missing-no-key'));
      expectRecorded('sharePeer-get-unknown-no-key', await replay('sharePeer-get-unknown-no-key'));
      expect((await request(http).get('/api/sharePeer/get?ShareID=').expect(200)).text).toBe(envelope('null', 'Please provide ShareID', false));
    });

    it('treats any other text as unknown: other case, NUL, quotes, a prefix, a very long one', async () => {
      // A NUL (%00) is refused for every URL of both APIs: 422, naming the parameter.
      expect((await open(`${shareId.slice(0, -1)}%00`).expect(422)).body.message).toContain('ShareID: must not contain a NUL');
      for (const text of [shareId.toUpperCase(), "'%20OR%201=1--", shareId.slice(0, 8), 'a'.repeat(5000), `${shareId}%0A`]) {
        expect((await open(text).expect(200)).text).toBe(envelope('null', 'This link is either expired to invalid', false));
      }
    });

    it('reads the first of repeated ShareIDs, as Werkzeug', async () => {
      expect((await open(`${shareId}&ShareID=x`).expect(200)).body.status).toBe(true);
      expect((await open(`x&ShareID=${shareId}`).expect(200)).body.message).toBe('This link is either expired to invalid');
    });

    it('a wrong key is refused there too (a sent key is checked first, as upstream)', async () => {
      expect((await open(shareId).set('wg-dashboard-apikey', 'nope').expect(401)).text).toBe(envelope('null', 'API Key does not exist', false));
    });
  });

  describe('the peer object’s ShareLink', () => {
    it('getWireguardConfigurationInfo lists the peer’s active link', async () => {
      const text = await info();
      expect(peerText(text, PEER_A)).toContain(`"ShareLink":[${linkJson(shareId)}],`);
      expect(text.match(/"ShareLink":\[\{/g)).toHaveLength(1);
    });
  });

  describe('update', () => {
    it('refuses without a ShareID, and unknown ones, as upstream', async () => {
      expectRecorded('sharePeer-update-missing', await replay('sharePeer-update-missing'));
      const unknown = await wgd('post', '/api/sharePeer/update').send({ ShareID: '00000000-0000-4000-8000-000000000000', ExpireDate: null }).expect(200);
      expect(unknown.text).toBe(envelope('null', 'ShareID does not exist', false));
      const notText = await wgd('post', '/api/sharePeer/update').send({ ShareID: 7 }).expect(200);
      expect(notText.text).toBe(envelope('null', 'ShareID does not exist', false));
      const badDate = await wgd('post', '/api/sharePeer/update').send({ ShareID: shareId, ExpireDate: 20991231 }).expect(400);
      expect(badDate.body.message).toBe('Please provide ExpireDate as a text "YYYY-MM-DD HH:MM:SS" (local time) or null');
    });

    it('sets the date as sent; the peer object shows it', async () => {
      expectRecorded('sharePeer-update', await replay('sharePeer-update'));
      expect(peerText(await info(), PEER_A)).toContain(`"ShareLink":[${linkJson(shareId, '2099-12-31 23:59:59')}],`);
    });

    it('a past date ends the link: [], then unknown to update, get and the peer object, as recorded', async () => {
      expectRecorded('sharePeer-update-past', await replay('sharePeer-update-past'));
      expectRecorded('sharePeer-update-expired', await replay('sharePeer-update-expired'));
      expect((await open(shareId).expect(200)).text).toBe(envelope('null', 'This link is either expired to invalid', false));
      // The recorder's info after this point: peer A shares nothing (its configuration object is ours).
      const recorded = wgdFixture('getWireguardConfigurationInfo-wg0-share-link').body;
      const ours = peerText(await info(), PEER_A);
      const configuration = (text: string) => /"configuration":(\{"Address".*?"TotalPeers":\d+\})/.exec(text)![1]!;
      expect(ours).toBe(peerText(recorded, PEER_A).replace(configuration(recorded), configuration(ours)));
    });
  });

  describe('a new link after the old one', () => {
    it('a date already past makes a link that is never active: []', async () => {
      const res = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A, ExpireDate: '2000-01-01 00:00:00' }).expect(200);
      expect(res.text).toBe(envelope('[]', null, true));
    });

    it('a number written as text is never active either (upstream’s SQLite keeps it as a number)', async () => {
      const res = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A, ExpireDate: '99999999' }).expect(200);
      expect(res.text).toBe(envelope('[]', null, true));
    });

    it('then a new ShareID that works while the expired one stays dead', async () => {
      const res = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A, ExpireDate: 'any text sorts after digits' }).expect(200);
      const fresh = res.body.data[0].ShareID as string;
      expect(fresh).toMatch(SHARE_ID);
      expect(fresh).not.toBe(shareId);
      expect(res.text).toBe(envelope(`[${linkJson(fresh, 'any text sorts after digits')}]`, null, true));
      expect((await open(fresh).expect(200)).body.data.fileName).toBe('oraclepeerArenamed');
      expect((await open(shareId).expect(200)).body.message).toBe('This link is either expired to invalid');
      shareId = fresh;
    });
  });

  describe('the link follows its peer', () => {
    it('a restricted peer is not shared while restricted; its restricted object still lists the link', async () => {
      expect((await wgd('post', '/api/restrictPeers/wg0').send({ peers: [PEER_A] }).expect(200)).body.status).toBe(true);
      expect((await open(shareId).expect(200)).text).toBe(envelope('null', "The peer you're looking for does not exist", false));
      const res = await wgd('get', '/api/getWireguardConfigurationInfo?configurationName=wg0').expect(200);
      expect(res.body.data.configurationRestrictedPeers[0].ShareLink).toEqual([JSON.parse(linkJson(shareId, 'any text sorts after digits'))]);
      expect((await wgd('post', '/api/allowAccessPeers/wg0').send({ peers: [PEER_A] }).expect(200)).body.status).toBe(true);
      expect((await open(shareId).expect(200)).body.status).toBe(true);
    });

    it('through a rename of its configuration: the new name everywhere, the file still given', async () => {
      expect((await wgd('post', '/api/renameWireguardConfiguration').send({ ConfigurationName: 'wg0', NewConfigurationName: 'wg5' }).expect(200)).body.status).toBe(true);
      expect(peerText(await info(key, 'wg5'), PEER_A)).toContain(`"ShareLink":[${linkJson(shareId, 'any text sorts after digits', 'wg5')}],`);
      const updated = await wgd('post', '/api/sharePeer/update').send({ ShareID: shareId, ExpireDate: null }).expect(200);
      expect(updated.text).toBe(envelope(`[${linkJson(shareId, null, 'wg5')}]`, null, true));
      expect((await open(shareId).expect(200)).body.data.file).toContain(`PublicKey = ${server.publicKey}\n`);
      expect((await wgd('post', '/api/renameWireguardConfiguration').send({ ConfigurationName: 'wg5', NewConfigurationName: 'wg0' }).expect(200)).body.status).toBe(true);
    });
  });

  describe('one node’s links are that node’s', () => {
    let other: { server: TestServer; key: string };
    let otherShareId: string;

    beforeAll(async () => {
      // Another node with the same configuration name and the same peer key.
      other = await makeNode();
      await addPeerA(other.key);
      const res = await wgd('post', '/api/sharePeer/create', other.key).send({ Configuration: 'wg0', Peer: PEER_A }).expect(200);
      otherShareId = res.body.data[0].ShareID;
    });

    it('the same names on another node make a link of that node, not “already sharing”', () => {
      expect(otherShareId).toMatch(SHARE_ID);
      expect(otherShareId).not.toBe(shareId);
    });

    it('another node’s key cannot update it, and its peers never show it', async () => {
      const res = await wgd('post', '/api/sharePeer/update', other.key).send({ ShareID: shareId, ExpireDate: '2000-01-01 00:00:00' }).expect(200);
      expect(res.text).toBe(envelope('null', 'ShareID does not exist', false));
      expect(peerText(await info(other.key), PEER_A)).toContain(`"ShareLink":[${linkJson(otherShareId)}],`);
      expect(peerText(await info(key), PEER_A)).toContain(`"ShareLink":[${linkJson(shareId, null)}],`);
    });

    it('creates racing for one peer make one link; the others answer “already sharing” with it', async () => {
      const added = await wgd('post', '/api/addPeers/wg0', other.key).send({ name: 'racer', allowed_ips: ['10.66.7.9/32'] }).expect(200);
      const racer = added.body.data[0].id as string;
      const answers = await Promise.all(Array.from({ length: 6 }, () => wgd('post', '/api/sharePeer/create', other.key).send({ Configuration: 'wg0', Peer: racer }).expect(200)));
      const created = answers.filter((res) => Array.isArray(res.body.data));
      expect(created).toHaveLength(1);
      const id = created[0]!.body.data[0].ShareID as string;
      for (const res of answers.filter((each) => !Array.isArray(each.body.data))) expect(res.text).toBe(envelope(linkJson(id, null, 'wg0', racer), 'This peer is already sharing. Please view data for shared link.', true));
    });

    it('each ID opens its own node’s peer, whatever key comes along', async () => {
      expect((await open(shareId).set('wg-dashboard-apikey', other.key).expect(200)).body.data.file).toContain(`PublicKey = ${server.publicKey}\n`);
      expect((await open(otherShareId).expect(200)).body.data.file).toContain(`PublicKey = ${other.server.publicKey}\n`);
    });
  });

  describe('the end of a peer', () => {
    it('deleting the peer deletes its links', async () => {
      expect((await wgd('post', '/api/deletePeers/wg0').send({ peers: [PEER_A] }).expect(200)).body.status).toBe(true);
      expect((await open(shareId).expect(200)).text).toBe(envelope('null', 'This link is either expired to invalid', false));
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM wgd_share_link WHERE server_id = $1`, [server.serverId]);
      expect(count).toBe(0);
      const recreate = await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: PEER_A }).expect(200);
      expect(recreate.text).toBe(envelope('null', 'Peer does not exist', false));
    });
  });
});
