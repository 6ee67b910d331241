import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * The WGDashboard API's keys and its door (notes §1.3): keys are handed out by the portal admin,
 * bound to a node; every answer is the envelope's exact bytes (notes §1.2).
 */
describe('WGDashboard API: keys and authentication', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let nodeId: number;
  let wgdKey: string;

  const wgd = (path: string, key?: string) => {
    const call = request(http).get(path);
    return key === undefined ? call : call.set('wg-dashboard-apikey', key);
  };

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    const [node] = await app.get(DataSource).query(
      `INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.9') RETURNING id`,
      [`wgd-node-${process.pid}-${Date.now()}`],
    );
    nodeId = Number(node.id);
    const created = await request(http).post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201);
    wgdKey = created.body.key;
  });
  afterAll(async () => {
    await app.close();
  });

  describe('POST /api/admin/nodes/{id}/wgdashboard-keys', () => {
    it('creates a key shaped like upstream’s (token_urlsafe(32)), shown once, bound to the node, and audited', async () => {
      const res = await request(http).post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        node_id: nodeId,
        key: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        hint: res.body.key.slice(-4),
        created_at: expect.any(String),
        expires_at: null,
      });
      const audit = await request(http).get(`/api/admin/audit?account_id=${admin.id}`).set(bearer(admin.key)).expect(200);
      const entry = audit.body.entries.find((e: { action: string; details: { key_id?: number } }) => e.action === 'wgdashboard_key.create' && e.details.key_id === res.body.id);
      expect(entry).toMatchObject({ target_type: 'node', target_id: nodeId, details: { key_id: res.body.id, hint: res.body.hint } });
      expect(JSON.stringify(audit.body)).not.toContain(res.body.key);
      const stored = await app.get(DataSource).query('SELECT key_hash FROM wgd_api_key WHERE id = $1', [res.body.id]);
      expect(Buffer.from(stored[0].key_hash).toString('utf8')).not.toContain(res.body.key);
    });

    it('is 404 for a missing node, 403 for a customer, 422 for an expiry in the past', async () => {
      await request(http).post('/api/admin/nodes/999999999/wgdashboard-keys').set(bearer(admin.key)).send({}).expect(404);
      const customer = await makeAccount(app, 'customer');
      await request(http).post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`).set(bearer(customer.key)).send({}).expect(403);
      const res = await request(http)
        .post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`)
        .set(bearer(admin.key))
        .send({ expires_at: '2001-01-01T00:00:00Z' })
        .expect(422);
      expect(res.body.errors).toEqual([{ field: 'expires_at', message: 'expires_at must be in the future' }]);
    });
  });

  describe('the envelope and the door', () => {
    it('answers handshake with the exact bytes and media type of upstream', async () => {
      const res = await wgd('/api/handshake', wgdKey).expect(200);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      expect((await wgd('/api/requireAuthentication', wgdKey).expect(200)).text).toBe('{"data":true,"message":null,"status":true}\n');
    });

    it('is 401 "Unauthorized access." without a key and "API Key does not exist" with a wrong one', async () => {
      const none = await wgd('/api/handshake').expect(401);
      expect(none.headers['content-type']).toBe('application/json');
      expect(none.text).toBe('{"data":null,"message":"Unauthorized access.","status":false}\n');
      expect((await wgd('/api/handshake', '').expect(401)).text).toBe('{"data":null,"message":"Unauthorized access.","status":false}\n');
      expect((await wgd('/api/handshake', `${wgdKey}x`).expect(401)).text).toBe('{"data":null,"message":"API Key does not exist","status":false}\n');
    });

    it('opens the whitelisted routes without a key, but still refuses a wrong key there', async () => {
      expect((await wgd('/api/getDashboardVersion').expect(200)).text).toBe('{"data":"v4.2.5","message":null,"status":true}\n');
      expect((await wgd('/api/getDashboardTheme').expect(200)).text).toBe('{"data":"dark","message":null,"status":true}\n');
      expect((await wgd('/api/isTotpEnabled').expect(200)).text).toBe('{"data":false,"message":null,"status":true}\n');
      expect((await wgd('/api/getDashboardVersion', 'not-a-key').expect(401)).text).toBe('{"data":null,"message":"API Key does not exist","status":false}\n');
    });

    it('keeps the two APIs apart: a portal key opens no WGDashboard route, a WGDashboard key no portal route', async () => {
      expect((await wgd('/api/handshake', admin.key).expect(401)).body.message).toBe('API Key does not exist');
      await request(http).get('/api/handshake').set(bearer(admin.key)).expect(401);
      await request(http).get('/api/wg/servers').set('wg-dashboard-apikey', wgdKey).expect(401);
    });

    it('refuses a key once it has expired', async () => {
      const res = await request(http)
        .post(`/api/admin/nodes/${nodeId}/wgdashboard-keys`)
        .set(bearer(admin.key))
        .send({ expires_at: new Date(Date.now() + 1_500).toISOString() })
        .expect(201);
      await wgd('/api/handshake', res.body.key).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      // The grant cache (4 s, like portal keys) does not outlive the key's own expiry.
      expect((await wgd('/api/handshake', res.body.key).expect(401)).body.message).toBe('API Key does not exist');
    });
  });

  it('serves under WGD_APP_PREFIX like upstream’s app_prefix, and refuses a malformed prefix at boot', async () => {
    const prefixed = await startTestApp({ WGD_APP_PREFIX: '/wgd' });
    try {
      const res = await request(prefixed.getHttpServer()).get('/wgd/api/handshake').set('wg-dashboard-apikey', wgdKey).expect(200);
      expect(res.text).toBe('{"data":null,"message":null,"status":true}\n');
      await request(prefixed.getHttpServer()).get('/api/handshake').set('wg-dashboard-apikey', wgdKey).expect(404);
      // The portal keeps its own paths.
      await request(prefixed.getHttpServer()).get('/api/wg/servers').set(bearer(admin.key)).expect(200);
    } finally {
      await prefixed.close();
    }
    await expect(startTestApp({ WGD_APP_PREFIX: '/wgd/' })).rejects.toThrow(/WGD_APP_PREFIX must be empty or a path such as \/wgd/);
  });
});
