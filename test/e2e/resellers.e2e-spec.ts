import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { makeUser } from '../support/user-factory.js';

describe('resellers', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;

  const createCustomer = (key: string, name: string) => request(http).post('/api/wg/customers').set(bearer(key)).send({ name });
  const createKey = (key: string, customerId: number, body: object = { name: 'first key' }) =>
    request(http).post(`/api/wg/customers/${customerId}/api-keys`).set(bearer(key)).send(body);
  const delegate = (key: string, assignmentId: number, body: object) =>
    request(http).post(`/api/wg/servers/${assignmentId}/delegations`).set(bearer(key)).send(body);
  const generation = async (serverId: number) =>
    Number((await db.query('SELECT desired_generation FROM server WHERE id = $1', [serverId]))[0].desired_generation);

  /** A reseller with one assignment and a customer (created through the API) holding a key. */
  async function resellerWithCustomer(quotas: Parameters<typeof assign>[3] = {}) {
    const reseller = await makeAccount(app, 'reseller');
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, reseller.id, quotas);
    const customer = (await createCustomer(reseller.key, `customer of ${reseller.id}`).expect(201)).body;
    const customerKey = (await createKey(reseller.key, customer.id).expect(201)).body.key as string;
    return { reseller, server, assignment, customer: { id: customer.id as number, key: customerKey } };
  }

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app.close();
  });

  it('documents every reseller route in the OpenAPI document', async () => {
    const { paths } = (await request(http).get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(paths['/api/wg/customers']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/wg/customers/{id}'])).toEqual(['delete']);
    expect(Object.keys(paths['/api/wg/customers/{id}/api-keys'])).toEqual(['post']);
    expect(Object.keys(paths['/api/wg/servers/{id}/delegations'])).toEqual(['post']);
    expect(paths['/api/wg/servers/{id}/delegations'].post.tags).toEqual(['resellers']);
  });

  describe('customers', () => {
    it('creates customers under the caller and lists only its own', async () => {
      const reseller = await makeAccount(app, 'reseller');
      const other = await makeAccount(app, 'reseller');
      const created = await createCustomer(reseller.key, 'Bob & Co.').expect(201);
      expect(created.body).toEqual({
        id: expect.any(Number),
        name: 'Bob & Co.',
        kind: 'customer',
        parent_id: reseller.id,
        suspended: false,
        suspended_at: null,
        created_at: expect.any(String),
      });
      const second = (await createCustomer(reseller.key, 'Alice').expect(201)).body;
      const theirs = (await createCustomer(other.key, 'Mallory').expect(201)).body;

      const listed = await request(http).get('/api/wg/customers').set(bearer(reseller.key)).expect(200);
      expect(listed.body).toEqual({ customers: [created.body, second], next_cursor: null });
      const page = await request(http).get('/api/wg/customers?limit=1').set(bearer(reseller.key)).expect(200);
      expect(page.body.customers).toEqual([created.body]);
      const rest = await request(http).get(`/api/wg/customers?cursor=${page.body.next_cursor}`).set(bearer(reseller.key)).expect(200);
      expect(rest.body).toEqual({ customers: [second], next_cursor: null });

      const otherList = await request(http).get('/api/wg/customers').set(bearer(other.key)).expect(200);
      expect(otherList.body.customers.map((c: { id: number }) => c.id)).toEqual([theirs.id]);
      const [audit] = await db.query(`SELECT account_id, action FROM audit_log WHERE target_type = 'account' AND target_id = $1`, [created.body.id]);
      expect(audit).toEqual({ account_id: String(reseller.id), action: 'customer.create' });
    });

    it.each([
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'bad\u202Ename' }, 'name'],
      [{ name: 42 }, 'name'],
      [{ name: 'x', parent_id: 1 }, 'parent_id'],
      [{ name: 'x', kind: 'reseller' }, 'kind'],
    ])('422 for %j', async (body, field) => {
      const reseller = await makeAccount(app, 'reseller');
      const response = await request(http).post('/api/wg/customers').set(bearer(reseller.key)).send(body).expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('403 for customer and admin keys on every reseller route, 401 without a key', async () => {
      const { customer, assignment } = await resellerWithCustomer();
      const admin = await makeAccount(app, 'admin');
      for (const key of [customer.key, admin.key]) {
        for (const response of [
          await createCustomer(key, 'x'),
          await request(http).get('/api/wg/customers').set(bearer(key)),
          await request(http).delete(`/api/wg/customers/${customer.id}`).set(bearer(key)),
          await createKey(key, customer.id),
          await delegate(key, assignment, { customer_id: customer.id, max_users: 1, max_port_forwards: 1 }),
        ]) {
          expect(response.status).toBe(403);
          expect(response.body.code).toBe('forbidden');
          expect(response.body.error).toMatch(/reseller key/);
        }
      }
      for (const response of [
        await request(http).post('/api/wg/customers').send({ name: 'x' }),
        await request(http).get('/api/wg/customers'),
        await request(http).delete(`/api/wg/customers/${customer.id}`),
        await request(http).post(`/api/wg/customers/${customer.id}/api-keys`).send({ name: 'x' }),
        await request(http).post(`/api/wg/servers/${assignment}/delegations`).send({ customer_id: customer.id, max_users: 1, max_port_forwards: 1 }),
      ]) {
        expect(response.status).toBe(401);
      }
    });

    it("gives a customer its key (shown once, no-store), which works on the customer's own routes", async () => {
      const reseller = await makeAccount(app, 'reseller');
      const customer = (await createCustomer(reseller.key, 'Keyed').expect(201)).body;
      const response = await createKey(reseller.key, customer.id, { name: 'production' }).expect(201);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        id: expect.any(Number),
        account_id: customer.id,
        name: 'production',
        prefix: response.body.key.slice(0, 7),
        last4: response.body.key.slice(-4),
        created_at: expect.any(String),
        expires_at: null,
        last_used_at: null,
        last_used_ip: null,
        revoked_at: null,
        key: expect.stringMatching(/^wg_[A-Za-z0-9]{46}$/),
      });
      const keys = await request(http).get('/api/wg/api-keys').set(bearer(response.body.key)).expect(200);
      expect(keys.body.api_keys.map((k: { id: number }) => k.id)).toEqual([response.body.id]);
      expect(JSON.stringify(keys.body)).not.toContain(response.body.key);
      await request(http).get('/api/wg/servers').set(bearer(response.body.key)).expect(200, { servers: [], next_cursor: null });
    });

    it('404 for a missing customer, 403 for another reseller\'s customer or a non-customer, 409 past five keys', async () => {
      const { reseller, customer } = await resellerWithCustomer();
      const other = await makeAccount(app, 'reseller');
      const stranger = await makeAccount(app, 'customer');
      expect((await createKey(reseller.key, 987654321).expect(404)).body.code).toBe('not_found');
      for (const target of [customer.id, stranger.id, reseller.id]) {
        const response = await createKey(other.key, target).expect(403);
        expect(response.text).not.toContain('customer of');
      }
      await createKey(reseller.key, stranger.id).expect(403);
      await createKey(reseller.key, reseller.id).expect(403);
      for (let i = 0; i < 4; i++) await createKey(reseller.key, customer.id, { name: `key ${i}` }).expect(201);
      expect((await createKey(reseller.key, customer.id).expect(409)).body.code).toBe('api_key_limit');
      await createKey(reseller.key, customer.id, { name: 'x', expires_at: '2001-01-01T00:00:00Z' }).expect(422);
      await createKey(reseller.key, customer.id, { name: 'x', account_id: reseller.id }).expect(422);
    });
  });

  describe('delegations', () => {
    it("creates a delegation of the reseller's server, which the customer then uses as its own assignment", async () => {
      const { reseller, server, assignment, customer } = await resellerWithCustomer({ maxUsers: 10, maxPortForwards: 5 });
      const response = await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 4, max_port_forwards: 2 }).expect(201);
      expect(response.body).toEqual({
        id: expect.any(Number),
        assignment_id: response.body.id,
        customer_id: customer.id,
        parent_assignment_id: assignment,
        max_users: 4,
        max_port_forwards: 2,
        created_at: expect.any(String),
      });
      const [row] = await db.query('SELECT server_id, account_id, parent_assignment_id FROM assignment WHERE id = $1', [response.body.id]);
      expect(row).toEqual({ server_id: String(server.serverId), account_id: String(customer.id), parent_assignment_id: String(assignment) });

      const servers = await request(http).get('/api/wg/servers').set(bearer(customer.key)).expect(200);
      expect(servers.body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual([response.body.id]);
      const user = await makeUser(app, response.body.id);
      await request(http).post(`/api/wg/users/${user.id}/port-forwards`).set(bearer(customer.key)).send({ external_port: 443 }).expect(201);

      expect((await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 1, max_port_forwards: 1 }).expect(409)).body.code).toBe(
        'conflict',
      );
    });

    it("422 quota_exceeded past what the reseller has left, saying how much is left", async () => {
      const { reseller, assignment, customer } = await resellerWithCustomer({ maxUsers: 10, maxPortForwards: 5 });
      for (let i = 0; i < 3; i++) await makeUser(app, assignment);
      await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 4, max_port_forwards: 2 }).expect(201);
      const second = (await createCustomer(reseller.key, 'Second').expect(201)).body;

      const users = await delegate(reseller.key, assignment, { customer_id: second.id, max_users: 4, max_port_forwards: 0 }).expect(422);
      expect(users.body.code).toBe('quota_exceeded');
      expect(users.body.error).toContain('at most 3 more users');

      const ownUser = await makeUser(app, assignment);
      await request(http).post(`/api/wg/users/${ownUser.id}/port-forwards`).set(bearer(reseller.key)).send({ external_port: 8080 }).expect(201);
      const forwards = await delegate(reseller.key, assignment, { customer_id: second.id, max_users: 0, max_port_forwards: 3 }).expect(422);
      expect(forwards.body.code).toBe('quota_exceeded');
      expect(forwards.body.error).toContain('at most 2 more port forwards');

      // Exactly what is left fits.
      await delegate(reseller.key, assignment, { customer_id: second.id, max_users: 2, max_port_forwards: 2 }).expect(201);
    });

    it('has no ceiling when the reseller itself is unlimited', async () => {
      const { reseller, assignment, customer } = await resellerWithCustomer();
      await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 100000, max_port_forwards: 100000 }).expect(201);
    });

    it('403 on a customer\'s assignment, another reseller\'s assignment or customer; 404 missing; 422 bad input', async () => {
      const a = await resellerWithCustomer();
      const b = await resellerWithCustomer();
      const delegation = (await delegate(a.reseller.key, a.assignment, { customer_id: a.customer.id, max_users: 1, max_port_forwards: 1 }).expect(201))
        .body;
      const second = (await createCustomer(a.reseller.key, 'Second').expect(201)).body;
      const onCustomer = await delegate(a.reseller.key, delegation.id, { customer_id: second.id, max_users: 0, max_port_forwards: 0 }).expect(403);
      expect(onCustomer.body.error).toContain('your own assignment');
      await delegate(a.reseller.key, b.assignment, { customer_id: a.customer.id, max_users: 0, max_port_forwards: 0 }).expect(403);
      const foreignCustomer = await delegate(a.reseller.key, a.assignment, { customer_id: b.customer.id, max_users: 0, max_port_forwards: 0 }).expect(
        403,
      );
      expect(foreignCustomer.text).not.toContain(`customer of ${b.reseller.id}`);
      await delegate(a.reseller.key, a.assignment, { customer_id: a.reseller.id, max_users: 0, max_port_forwards: 0 }).expect(403);
      expect((await delegate(a.reseller.key, 987654321, { customer_id: second.id, max_users: 0, max_port_forwards: 0 }).expect(404)).body.code).toBe(
        'not_found',
      );
      const missingCustomer = await delegate(a.reseller.key, a.assignment, { customer_id: 987654321, max_users: 0, max_port_forwards: 0 }).expect(422);
      expect(missingCustomer.body.errors).toEqual([expect.objectContaining({ field: 'customer_id' })]);
      for (const [body, field] of [
        [{ max_users: 1, max_port_forwards: 1 }, 'customer_id'],
        [{ customer_id: second.id, max_port_forwards: 1 }, 'max_users'],
        [{ customer_id: second.id, max_users: 1 }, 'max_port_forwards'],
        [{ customer_id: second.id, max_users: -1, max_port_forwards: 1 }, 'max_users'],
        [{ customer_id: second.id, max_users: '1', max_port_forwards: 1 }, 'max_users'],
        [{ customer_id: second.id, max_users: 1.5, max_port_forwards: 1 }, 'max_users'],
        [{ customer_id: second.id, max_users: null, max_port_forwards: 1 }, 'max_users'],
        [{ customer_id: String(second.id), max_users: 1, max_port_forwards: 1 }, 'customer_id'],
        [{ customer_id: second.id, max_users: 1, max_port_forwards: 1, server_id: 1 }, 'server_id'],
      ] as Array<[object, string]>) {
        const response = await delegate(a.reseller.key, a.assignment, body).expect(422);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const [{ count }] = await db.query('SELECT count(*)::int AS count FROM assignment WHERE account_id = $1', [second.id]);
      expect(count).toBe(0);
    });

    it("lets the reseller act on its customer's users through the customer's assignment id; a sibling gets 403", async () => {
      const { reseller, assignment, customer } = await resellerWithCustomer();
      const delegation = (await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 5, max_port_forwards: 5 }).expect(201)).body;
      const sibling = (await createCustomer(reseller.key, 'Sibling').expect(201)).body;
      const siblingKey = (await createKey(reseller.key, sibling.id).expect(201)).body.key;
      const user = await makeUser(app, delegation.id, { clientName: 'customer-laptop' });

      const listed = await request(http).get(`/api/wg/servers/${delegation.id}/users`).set(bearer(reseller.key)).expect(200);
      expect(listed.body.users.map((u: { id: number }) => u.id)).toEqual([user.id]);
      await request(http).get(`/api/wg/users/${user.id}`).set(bearer(reseller.key)).expect(200);
      await request(http).post(`/api/wg/users/${user.id}/port-forwards`).set(bearer(reseller.key)).send({ external_port: 8443 }).expect(201);

      for (const response of [
        await request(http).get(`/api/wg/servers/${delegation.id}/users`).set(bearer(siblingKey)),
        await request(http).get(`/api/wg/users/${user.id}/port-forwards`).set(bearer(siblingKey)),
        await request(http).get(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)),
      ]) {
        expect(response.status).toBe(403);
        expect(response.text).not.toContain('customer-laptop');
      }
    });
  });

  describe('deleting a customer', () => {
    it('removes its keys (401 at once), users, forwards and delegations, bumps the server and frees the quota', async () => {
      const { reseller, server, assignment, customer } = await resellerWithCustomer({ maxUsers: 5, maxPortForwards: 5 });
      const delegation = (await delegate(reseller.key, assignment, { customer_id: customer.id, max_users: 5, max_port_forwards: 5 }).expect(201)).body;
      const user = await makeUser(app, delegation.id);
      const forward = (
        await request(http).post(`/api/wg/users/${user.id}/port-forwards`).set(bearer(customer.key)).send({ external_port: 9443, protocol: 'both' }).expect(201)
      ).body;
      // The key is warm in the auth cache.
      await request(http).get('/api/wg/api-keys').set(bearer(customer.key)).expect(200);
      const before = await generation(server.serverId);

      await request(http).delete(`/api/wg/customers/${customer.id}`).set(bearer(reseller.key)).expect(200, { id: customer.id, deleted: true });

      expect((await request(http).get('/api/wg/api-keys').set(bearer(customer.key))).status).toBe(401);
      expect(await generation(server.serverId)).toBe(before + 1);
      const [left] = await db.query(
        `SELECT (SELECT count(*)::int FROM wg_user WHERE id = $1) AS users,
                (SELECT count(*)::int FROM port_forward WHERE id = $2) AS forwards,
                (SELECT count(*)::int FROM port_claim WHERE port_forward_id = $2) AS claims,
                (SELECT count(*)::int FROM assignment WHERE id = $3) AS assignments,
                (SELECT count(*)::int FROM api_key WHERE account_id = $4) AS keys,
                (SELECT count(*)::int FROM account WHERE id = $4) AS accounts`,
        [user.id, forward.id, delegation.id, customer.id],
      );
      expect(left).toEqual({ users: 0, forwards: 0, claims: 0, assignments: 0, keys: 0, accounts: 0 });
      const [audit] = await db.query(`SELECT account_id FROM audit_log WHERE action = 'customer.delete' AND target_id = $1`, [customer.id]);
      expect(audit).toEqual({ account_id: String(reseller.id) });
      const listed = await request(http).get('/api/wg/customers').set(bearer(reseller.key)).expect(200);
      expect(listed.body.customers).toEqual([]);

      // The quota it held is the reseller's again; the port too.
      const next = (await createCustomer(reseller.key, 'Next').expect(201)).body;
      await delegate(reseller.key, assignment, { customer_id: next.id, max_users: 5, max_port_forwards: 5 }).expect(201);
      await request(http).delete(`/api/wg/customers/${customer.id}`).set(bearer(reseller.key)).expect(404);
    });

    it("403 for another reseller's customer or a customer deleting itself, changing nothing", async () => {
      const a = await resellerWithCustomer();
      const b = await makeAccount(app, 'reseller');
      const response = await request(http).delete(`/api/wg/customers/${a.customer.id}`).set(bearer(b.key)).expect(403);
      expect(response.text).not.toContain('customer of');
      await request(http).delete(`/api/wg/customers/${a.customer.id}`).set(bearer(a.customer.key)).expect(403);
      await request(http).delete(`/api/wg/customers/${a.reseller.id}`).set(bearer(a.reseller.key)).expect(403);
      await request(http).delete('/api/wg/customers/abc').set(bearer(a.reseller.key)).expect(422);
      await request(http).get('/api/wg/api-keys').set(bearer(a.customer.key)).expect(200);
    });
  });
});
