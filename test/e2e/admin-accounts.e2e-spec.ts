import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

describe('admin accounts', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { key: string };

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a reseller and a customer under it, and reads them back', async () => {
    const reseller = await request(http).post('/api/admin/accounts').set(bearer(admin.key)).send({ name: 'Acme VPN', kind: 'reseller' }).expect(201);
    expect(reseller.body).toMatchObject({ name: 'Acme VPN', kind: 'reseller', parent_id: null, suspended: false });
    const customer = await request(http)
      .post('/api/admin/accounts')
      .set(bearer(admin.key))
      .send({ name: 'Bob', kind: 'customer', parent_id: reseller.body.id })
      .expect(201);
    expect(customer.body.parent_id).toBe(reseller.body.id);
    await request(http).get(`/api/admin/accounts/${customer.body.id}`).set(bearer(admin.key)).expect(200, customer.body);
    const children = await request(http).get(`/api/admin/accounts?parent_id=${reseller.body.id}`).set(bearer(admin.key)).expect(200);
    expect(children.body).toEqual({ accounts: [customer.body], next_cursor: null });
  });

  it.each([
    [{ name: 'x', kind: 'admin' }, 'kind'],
    [{ name: 'x', kind: 'reseller', parent_id: 1 }, 'parent_id'],
    [{ name: 'x', kind: 'customer', parent_id: 'one' }, 'parent_id'],
    [{ kind: 'customer' }, 'name'],
  ])('refuses %j with a 422 naming %s', async (body, field) => {
    const response = await request(http).post('/api/admin/accounts').set(bearer(admin.key)).send(body).expect(422);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a parent that is not a reseller', async () => {
    const customer = await makeAccount(app, 'customer');
    const response = await request(http)
      .post('/api/admin/accounts')
      .set(bearer(admin.key))
      .send({ name: 'x', kind: 'customer', parent_id: customer.id })
      .expect(422);
    expect(response.body.error).toContain('not a reseller');
  });

  it.each([['reseller'], ['customer']] as const)('answers 403 to a %s key on every admin route', async (kind) => {
    const caller = await makeAccount(app, kind);
    const calls = [
      request(http).get('/api/admin/accounts'),
      request(http).post('/api/admin/accounts').send({ name: 'x', kind: 'customer' }),
      request(http).get(`/api/admin/accounts/${caller.id}`),
      request(http).post(`/api/admin/accounts/${caller.id}/suspend`),
      request(http).post(`/api/admin/accounts/${caller.id}/unsuspend`),
      request(http).post(`/api/admin/accounts/${caller.id}/api-keys`).send({ name: 'x' }),
    ];
    for (const call of calls) {
      const response = await call.set(bearer(caller.key));
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
  });

  it("suspends an account: its keys get 403 account_suspended, and so do its customers'", async () => {
    const reseller = await makeAccount(app, 'reseller');
    const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
    await request(http).get('/api/wg/api-keys').set(bearer(customer.key)).expect(200);
    await request(http).post(`/api/admin/accounts/${reseller.id}/suspend`).set(bearer(admin.key)).expect(200);
    for (const key of [reseller.key, customer.key]) {
      const response = await request(http).get('/api/wg/api-keys').set(bearer(key)).expect(403);
      expect(response.body.code).toBe('account_suspended');
    }
    await request(http).post(`/api/admin/accounts/${reseller.id}/unsuspend`).set(bearer(admin.key)).expect(200);
    await request(http).get('/api/wg/api-keys').set(bearer(reseller.key)).expect(200);
  });

  it("bumps the generation of every server the account and its customers hold, so nodes drop (and restore) their peers; audited", async () => {
    const reseller = await makeAccount(app, 'reseller');
    const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
    const [resellerServer, customerServer, untouched] = [await makeServer(app), await makeServer(app), await makeServer(app)];
    await assign(app, resellerServer.serverId, reseller.id);
    await assign(app, customerServer.serverId, customer.id);
    const generations = async () =>
      (
        await app.get(DataSource).query('SELECT desired_generation FROM server WHERE id = ANY($1) ORDER BY id', [
          [resellerServer.serverId, customerServer.serverId, untouched.serverId],
        ])
      ).map((row: { desired_generation: string }) => Number(row.desired_generation));
    const before = await generations();
    await request(http).post(`/api/admin/accounts/${reseller.id}/suspend`).set(bearer(admin.key)).expect(200);
    expect(await generations()).toEqual([before[0] + 1, before[1] + 1, before[2]]);
    await request(http).post(`/api/admin/accounts/${reseller.id}/unsuspend`).set(bearer(admin.key)).expect(200);
    expect(await generations()).toEqual([before[0] + 2, before[1] + 2, before[2]]);
    const audit = await request(http).get(`/api/admin/audit?limit=5`).set(bearer(admin.key)).expect(200);
    expect(audit.body.entries.slice(0, 2).map((e: { action: string; target_id: number }) => [e.action, e.target_id])).toEqual([
      ['account.unsuspend', reseller.id],
      ['account.suspend', reseller.id],
    ]);
  });

  it('filters the audit log by acting account, newest first, and refuses a bad filter', async () => {
    const reseller = await makeAccount(app, 'reseller');
    for (const name of ['first', 'second']) {
      await request(http).post('/api/wg/customers').set(bearer(reseller.key)).send({ name: `${name}-${reseller.id}` }).expect(201);
    }
    const audit = await request(http).get(`/api/admin/audit?account_id=${reseller.id}`).set(bearer(admin.key)).expect(200);
    expect(audit.body.entries.map((e: { action: string; account_id: number }) => [e.action, e.account_id])).toEqual([
      ['customer.create', reseller.id],
      ['customer.create', reseller.id],
    ]);
    expect(audit.body.entries[0].id).toBeGreaterThan(audit.body.entries[1].id);
    expect(audit.body.entries[0]).toMatchObject({ api_key_id: reseller.keyId, source_ip: expect.any(String) });
    const bad = await request(http).get('/api/admin/audit?account_id=0').set(bearer(admin.key)).expect(422);
    expect(bad.body.errors).toEqual([{ field: 'account_id', message: 'account_id must be a positive integer' }]);
    await request(http).get('/api/admin/audit').set(bearer(reseller.key)).expect(403);
  });

  it('issues a first key for an account, which then works', async () => {
    const customer = await makeAccount(app, 'customer');
    const created = await request(http).post(`/api/admin/accounts/${customer.id}/api-keys`).set(bearer(admin.key)).send({ name: 'first' }).expect(201);
    expect(created.body.account_id).toBe(customer.id);
    await request(http).get('/api/wg/api-keys').set(bearer(created.body.key)).expect(200);
  });

  it('answers 404 for a missing account', async () => {
    await request(http).get('/api/admin/accounts/99999999').set(bearer(admin.key)).expect(404);
  });
});

describe('rate limits (memory storage)', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;

  beforeAll(async () => {
    app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '5' });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  it('allows 60 requests per key per minute across routes, then 429 with Retry-After', async () => {
    const account = await makeAccount(app, 'customer');
    const other = await makeAccount(app, 'customer');
    for (let i = 1; i <= 60; i++) {
      const path = i % 2 ? '/api/wg/api-keys' : '/api/wg/api-keys?limit=1';
      const response = await request(http).get(path).set(bearer(account.key));
      expect(response.status).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBe('60');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(60 - i));
      expect(response.headers['ratelimit-policy']).toBe('"default";q=60;w=60');
    }
    const limited = await request(http).get('/api/wg/api-keys').set(bearer(account.key)).expect(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit']).toMatch(/^"default";r=0;t=\d+$/);
    // Another key of another account is not affected.
    await request(http).get('/api/wg/api-keys').set(bearer(other.key)).expect(200);
  });

  it('limits failed authentication per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request(http).get('/api/wg/api-keys').set(bearer('wg_nope'))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});
