import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { makeUser } from '../support/user-factory.js';

/**
 * The refusals of hostile input, one class at a time, on both APIs: repeated credentials, null
 * where it means nothing, deep nesting, NUL characters, bodies that are not a JSON object, URLs
 * the router refuses. (test/e2e/hostile-input.e2e-spec.ts sends all of them to every route.)
 */
const PROBLEM = 'application/problem+json; charset=utf-8';
const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('hostile input refused at the root', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let admin: { id: number; key: string };
  let customer: { id: number; key: string };
  let other: { id: number; key: string };
  let server: TestServer;
  let assignment: number;
  let userId: number;
  let wgdKey: string;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
    admin = await makeAccount(app, 'admin');
    customer = await makeAccount(app, 'customer');
    other = await makeAccount(app, 'customer');
    server = await makeServer(app);
    assignment = await assign(app, server.serverId, customer.id);
    userId = (await makeUser(app, assignment)).id;
    wgdKey = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
  });
  afterAll(async () => {
    await app.close();
  });

  const wgdPost = (path: string) => request(http).post(path).set('wg-dashboard-apikey', wgdKey).set('content-type', 'application/json');
  const wgdGet = (path: string) => request(http).get(path).set('wg-dashboard-apikey', wgdKey);
  const expectEnvelope = (res: request.Response, status: number, message: RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.text).toMatch(/^\{"data":null,"message":".*","status":false\}\n$/);
    expect(JSON.parse(res.text).message).toMatch(message);
  };
  const countRows = async (table: 'wg_user' | 'port_forward' | 'wgd_peer') => Number((await db.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  describe('more than one Authorization', () => {
    const twice = (first: string, second: string) => ({ Authorization: [first, second] as unknown as string });

    it.each([
      ['a valid key, then garbage', () => [`Bearer ${customer.key}`, 'Bearer garbage']],
      ['garbage, then a valid key', () => ['Bearer garbage', `Bearer ${customer.key}`]],
      ['key A, then key B', () => [`Bearer ${customer.key}`, `Bearer ${other.key}`]],
      ['the same key twice', () => [`Bearer ${customer.key}`, `Bearer ${customer.key}`]],
    ])('is 401 saying to send exactly one, before any key is used (%s)', async (_label, headers) => {
      const [first, second] = headers();
      const res = await request(http).get('/api/wg/api-keys').set(twice(first, second));
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body).toMatchObject({ code: 'unauthenticated', error: expect.stringContaining('exactly one') });
      // No key's window was touched: the rate-limit headers come only with an authenticated key.
      expect(res.headers['x-ratelimit-remaining']).toBeUndefined();
    });

    it('is 401 for one header naming two keys', async () => {
      const res = await request(http).get('/api/wg/api-keys').set('Authorization', `Bearer ${customer.key}, Bearer ${other.key}`);
      expect(res.status).toBe(401);
      expect(res.body.error).toContain('exactly one');
    });

    it('is 401 on the GET /api/wg/servers fast path, even with the page cached', async () => {
      await request(http).get('/api/wg/servers').set(bearer(customer.key)).expect(200); // the page is now cached
      const res = await request(http).get('/api/wg/servers').set(twice(`Bearer ${customer.key}`, 'Bearer garbage'));
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body.error).toContain('exactly one');
      await request(http).get('/api/wg/servers').set(bearer(customer.key)).expect(200);
    });

    it('is 401 on a write, which then does not happen', async () => {
      const before = await countRows('wg_user');
      await request(http).post(`/api/wg/servers/${assignment}/users`).set(twice(`Bearer ${customer.key}`, `Bearer ${other.key}`)).send({ client_name: 'twice' }).expect(401);
      expect(await countRows('wg_user')).toBe(before);
    });
  });

  describe('null where it means nothing', () => {
    it('refuses public_key: null with a 422 naming the field, and creates nothing', async () => {
      const before = await countRows('wg_user');
      const res = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'nullkey', public_key: null }).expect(422);
      expect(res.body.errors).toEqual([{ field: 'public_key', message: 'public_key must not be null; leave it out to get the default' }]);
      expect(await countRows('wg_user')).toBe(before);
    });

    it.each([['preshared_key'], ['dns'], ['allowed_ips'], ['persistent_keepalive']])('refuses %s: null the same way', async (field) => {
      const res = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'nulls', [field]: null }).expect(422);
      expect(res.body.errors).toEqual([{ field, message: `${field} must not be null; leave it out to get the default` }]);
    });

    it('keeps null where it means something: max_users (unlimited) and expires_at (never)', async () => {
      const spare = await makeAccount(app, 'customer');
      const created = await request(http)
        .post('/api/admin/assignments')
        .set(bearer(admin.key))
        .send({ server_id: server.serverId, account_id: spare.id, max_users: null, max_port_forwards: null })
        .expect(201);
      expect(created.body).toMatchObject({ max_users: null, max_port_forwards: null });
      const key = await request(http).post('/api/wg/api-keys').set(bearer(spare.key)).send({ name: 'no expiry', expires_at: null }).expect(201);
      expect(key.body.expires_at).toBeNull();
    });

    it('refuses ids past 2^53 (PostgreSQL would fail on them) with a 422', async () => {
      const res = await request(http).post('/api/admin/assignments').set(bearer(admin.key)).set('content-type', 'application/json')
        .send(`{"server_id":18446744073709551616,"account_id":${customer.id}}`).expect(422);
      expect(res.body.errors).toEqual([{ field: 'server_id', message: 'server_id must be a positive integer' }]);
      await request(http).get(`/api/admin/assignments?account_id=${'9'.repeat(30)}`).set(bearer(admin.key)).expect(422);
    });
  });

  describe('nesting deeper than 32 levels', () => {
    it('is 400 naming the limit on the portal, and 32 levels still reach validation', async () => {
      const res = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).set('content-type', 'application/json').send(`{"client_name":${deep(5000)}}`);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body).toMatchObject({ code: 'body_too_deep', error: expect.stringContaining('32') });
      const atLimit = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).set('content-type', 'application/json').send(`{"client_name":${deep(31)}}`);
      expect(atLimit.status).toBe(422);
      const past = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).set('content-type', 'application/json').send(`{"client_name":${deep(32)}}`);
      expect(past.body.code).toBe('body_too_deep');
    });

    it('is a 400 envelope on the WGDashboard API', async () => {
      const before = await countRows('wgd_peer');
      expectEnvelope(await wgdPost('/api/addPeers/wg0').send(`{"name":"deep","allowed_ips":${deep(5000)}}`), 400, /more than 32 levels deep/);
      expect(await countRows('wgd_peer')).toBe(before);
    });
  });

  describe('NUL characters', () => {
    it('is a 422 naming the field in a portal body string, key or array entry', async () => {
      const post = (body: string) => request(http).post(`/api/wg/users/${userId}/port-forwards`).set(bearer(customer.key)).set('content-type', 'application/json').send(body);
      const before = await countRows('port_forward');
      expect((await post('{"comment":"web\\u0000"}').expect(422)).body.errors).toEqual([{ field: 'comment', message: expect.stringContaining('NUL') }]);
      expect((await post('{"x\\u0000":1}').expect(422)).body.errors[0].field).toBe('x\\u0000');
      expect((await post('{"a":["ok","\\u0000"]}').expect(422)).body.errors[0].field).toBe('a[1]');
      expect(await countRows('port_forward')).toBe(before);
    });

    it('is a 422 in a portal path id and query', async () => {
      const id = await request(http).get(`/api/wg/users/${userId}%00`).set(bearer(customer.key)).expect(422);
      expect(id.headers['content-type']).toBe(PROBLEM);
      expect(id.body.errors).toEqual([{ field: 'path', message: expect.stringContaining('NUL') }]);
      const query = await request(http).get(`/api/wg/servers/${assignment}/users?name=a%00b`).set(bearer(customer.key)).expect(422);
      expect(query.body.errors).toEqual([{ field: 'query.name', message: expect.stringContaining('NUL') }]);
    });

    it('is a 422 envelope on the WGDashboard API: body, path and query (the backup download name too)', async () => {
      expectEnvelope(await wgdPost('/api/deleteWireguardConfiguration').send({ ConfigurationName: 'wg\u00000' }), 422, /ConfigurationName: must not contain a NUL/);
      expectEnvelope(await wgdGet('/api/getAvailableIPs/wg%000'), 422, /path: must not contain a NUL/);
      expectEnvelope(await wgdGet('/api/getWireguardConfigurationRawFile?configurationName=wg0%00'), 422, /query\.configurationName/);
      expectEnvelope(await wgdGet('/api/downloadWireguardConfigurationBackup?configurationName=wg0&backupFileName=wg0_1.conf%00'), 422, /query\.backupFileName/);
    });
  });

  describe('a body that is not a JSON object', () => {
    it.each([['null'], ['[]'], ['42'], ['"text"'], ['true']])('is 422 saying to send one on the portal (%s), and nothing is written', async (body) => {
      const before = await countRows('port_forward');
      const res = await request(http).post(`/api/wg/users/${userId}/port-forwards`).set(bearer(customer.key)).set('content-type', 'application/json').send(body);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body).toMatchObject({ code: 'body_not_object', error: expect.stringContaining('send a JSON object') });
      expect(await countRows('port_forward')).toBe(before);
    });

    it('is 422 on PATCH, which changes nothing', async () => {
      const before = (await db.query('SELECT name, desired_generation FROM server WHERE id = $1', [server.serverId]))[0];
      await request(http).patch(`/api/admin/servers/${server.serverId}`).set(bearer(admin.key)).set('content-type', 'application/json').send('null').expect(422);
      expect((await db.query('SELECT name, desired_generation FROM server WHERE id = $1', [server.serverId]))[0]).toEqual(before);
    });

    it.each([['null'], ['[]'], ['42']])('is a 422 envelope on the WGDashboard API (%s)', async (body) => {
      const before = await countRows('wgd_peer');
      expectEnvelope(await wgdPost('/api/addPeers/wg0').send(body), 422, /send a JSON object/);
      expect(await countRows('wgd_peer')).toBe(before);
    });

    it('is refused before authentication: 422 with no key, as malformed JSON always was (400)', async () => {
      await request(http).post(`/api/wg/users/${userId}/port-forwards`).set('content-type', 'application/json').send('null').expect(422);
      await request(http).post('/api/addPeers/wg0').set('content-type', 'application/json').send('null').expect(422);
    });

    it('answers malformed JSON in the WGDashboard envelope too', async () => {
      expectEnvelope(await wgdPost('/api/addPeers/wg0').send('{"name":'), 400, /not valid JSON/);
    });
  });

  describe('URLs the router refuses', () => {
    it.each([
      ['malformed percent-encoding', `/api/wg/users/%zz`],
      ['a path segment over 100 characters', `/docs/assets/${'1'.repeat(101)}`],
    ])('answers %s with a 400 problem+json', async (_label, path) => {
      const res = await request(http).get(path).set(bearer(customer.key));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body.code).toBe('bad_request');
    });

    it('answers a portal path segment over 100 characters as a route that does not exist (the /api/ catch-all takes it)', async () => {
      const res = await request(http).get(`/api/wg/users/${'1'.repeat(101)}`).set(bearer(customer.key));
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe(PROBLEM);
      expect(res.body.code).toBe('not_found');
    });
  });
});

describe('hostile input at the default rate limit (60/min)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('refuses hostile bodies before the key is counted, so they neither 5xx nor use up its window', async () => {
    const customer = await makeAccount(app, 'customer');
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, customer.id);
    const http = app.getHttpServer();
    const bodies = ['null', '[]', deep(5000), '{"client_name":"a\\u0000"}'];
    for (let i = 0; i < 64; i++) {
      const res = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).set('content-type', 'application/json').send(bodies[i % bodies.length]);
      expect([400, 422]).toContain(res.status);
    }
    const created = await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).send({ client_name: 'after-hostile', public_key: generateKeyPair().publicKey }).expect(201);
    expect(Number(created.headers['x-ratelimit-remaining'])).toBe(59);
  });
});
