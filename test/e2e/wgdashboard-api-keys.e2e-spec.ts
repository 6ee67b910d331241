import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/** getDashboardAPIKeys, newDashboardAPIKey, deleteDashboardAPIKey (notes §2.31-2.33, §1.8.7): a node's keys, by their holders. */
describe('WGDashboard API: its own API keys', () => {
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

  async function nodeWithKey(): Promise<{ nodeId: number; key: string }> {
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.35') RETURNING id`, [
      `wgd-keys-${process.pid}-${Date.now()}-${Math.random()}`,
    ]);
    const key = (await request(http).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    return { nodeId: Number(node.id), key };
  }
  const get = (path: string, key: string) => request(http).get(path).set('wg-dashboard-apikey', key);
  const post = (path: string, key: string, body: unknown) => request(http).post(path).set('wg-dashboard-apikey', key).send(body as object);
  const LOCAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

  it('lists the node’s active keys as upstream’s objects, masked to their last four characters', async () => {
    const { key } = await nodeWithKey();
    const other = await nodeWithKey();
    const res = await get('/api/getDashboardAPIKeys', key).expect(200);
    expect(res.body).toEqual({ status: true, message: null, data: [{ CreatedAt: expect.stringMatching(LOCAL_TIME), ExpiredAt: null, Key: `${'*'.repeat(39)}${key.slice(-4)}` }] });
    expect(res.text).not.toContain(key);
    expect(res.text).not.toContain(other.key.slice(-4) + '"');
  });

  it('creates a key that never expires, or one with a local "%Y-%m-%d %H:%M:%S" expiry, shown in full only in that answer', async () => {
    const { key } = await nodeWithKey();
    const forever = await post('/api/newDashboardAPIKey', key, { NeverExpire: true }).expect(200);
    const created = forever.body.data.find((k: { Key: string }) => !k.Key.startsWith('*'));
    expect(created).toEqual({ CreatedAt: expect.stringMatching(LOCAL_TIME), ExpiredAt: null, Key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(forever.body.data).toHaveLength(2);
    await get('/api/handshake', created.Key).expect(200);

    // Python truthiness: the string "false" is true, so this one never expires either.
    const stringFalse = await post('/api/newDashboardAPIKey', key, { NeverExpire: 'false' }).expect(200);
    expect(stringFalse.body.data.find((k: { Key: string }) => !k.Key.startsWith('*')).ExpiredAt).toBeNull();

    const expiring = await post('/api/newDashboardAPIKey', key, { NeverExpire: false, ExpiredAt: '2099-12-31 23:59:59' }).expect(200);
    expect(expiring.body.data.find((k: { Key: string }) => !k.Key.startsWith('*')).ExpiredAt).toBe('2099-12-31 23:59:59');
    expect((await get('/api/getDashboardAPIKeys', key).expect(200)).body.data).toHaveLength(4);
  });

  it('answers upstream’s messages for a missing or malformed expiry, and creates nothing', async () => {
    const { key } = await nodeWithKey();
    expect((await post('/api/newDashboardAPIKey', key, { NeverExpire: false }).expect(200)).text).toBe('{"data":null,"message":"\'ExpiredAt\'","status":false}\n');
    expect((await post('/api/newDashboardAPIKey', key, { NeverExpire: 0, ExpiredAt: '2099-02-30 00:00:00' }).expect(200)).body.message).toBe(
      "time data '2099-02-30 00:00:00' does not match format '%Y-%m-%d %H:%M:%S'",
    );
    expect((await post('/api/newDashboardAPIKey', key, { NeverExpire: false, ExpiredAt: 5 }).expect(200)).body.message).toBe(
      'strptime() argument 1 must be str, not int',
    );
    expect((await post('/api/newDashboardAPIKey', key, [1]).expect(422)).body.message).toContain('send a JSON object');
    expect((await get('/api/getDashboardAPIKeys', key).expect(200)).body.data).toHaveLength(1);
  });

  it('deletes a key of its node: it stops working at once and is audited; another node’s key is "API Key does not exist"', async () => {
    const { nodeId, key } = await nodeWithKey();
    const other = await nodeWithKey();
    const created = (await post('/api/newDashboardAPIKey', key, { NeverExpire: true }).expect(200)).body.data.find((k: { Key: string }) => !k.Key.startsWith('*')).Key;
    await get('/api/handshake', created).expect(200); // its grant is cached now

    expect((await post('/api/deleteDashboardAPIKey', key, { Key: other.key }).expect(404)).text).toBe(
      '{"data":null,"message":"API Key does not exist","status":false}\n',
    );
    const deleted = await post('/api/deleteDashboardAPIKey', key, { Key: created }).expect(200);
    expect(deleted.body.data).toEqual([expect.objectContaining({ Key: `${'*'.repeat(39)}${key.slice(-4)}` })]);
    expect((await get('/api/handshake', created).expect(401)).body.message).toBe('API Key does not exist');
    await post('/api/deleteDashboardAPIKey', key, { Key: created }).expect(404);
    await get('/api/handshake', other.key).expect(200);

    const [entry] = await app.get(DataSource).query(
      `SELECT account_id, details FROM audit_log WHERE action = 'wgdashboard_key.delete' AND target_id = $1`,
      [nodeId],
    );
    expect(entry).toMatchObject({ account_id: null, details: { by_wgdashboard_key_id: expect.any(Number) } });
  });

  it('is 400 with a message when no Key is sent (upstream crashes with a 500)', async () => {
    const { key } = await nodeWithKey();
    expect((await post('/api/deleteDashboardAPIKey', key, {}).expect(400)).text).toBe(
      '{"data":null,"message":"Please provide the Key to delete","status":false}\n',
    );
  });
});
