import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { AccountsService, ApiKeysService } from '@wgfleet/accounts';
import { ServerListCache } from '../../libs/peers/src/server-list-cache.js';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp, tamperedKey } from '../support/test-app.js';

describe('GET /api/wg/servers', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  const list = (key: string, query = '') => request(http).get(`/api/wg/servers${query}`).set(bearer(key));

  it('is 401 without a key', async () => {
    await request(http).get('/api/wg/servers').expect(401);
  });

  it('lists the caller’s assignments in exactly the contract shape, with users_count', async () => {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, { forwardRange: [20000, 29999] });
    const assignment = await assign(app, server.serverId, account.id, { maxUsers: 10, maxPortForwards: 5 });
    for (const name of ['one', 'two']) {
      await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(account.key)).send({ client_name: name }).expect(201);
    }
    const response = await list(account.key).expect(200);
    expect(response.body).toEqual({
      servers: [
        {
          assignment_id: assignment,
          name: expect.stringMatching(/^server-\d+$/),
          location: 'Test',
          endpoint: `${server.publicIpv4}:51820`,
          server_public_key: server.publicKey,
          ipv4_subnet: '10.8.0.0/24',
          ipv6_subnet: 'fd42:66:1::/64',
          dns: ['1.1.1.1'],
          mtu: 1420,
          port_forward_range: '20000-29999',
          max_users: 10,
          users_count: 2,
          max_port_forwards: 5,
          sync: { state: 'pending', desired_generation: 3, applied_generation: 0, last_error: null, last_applied_at: null },
        },
      ],
      next_cursor: null,
    });
  });

  it('uses the server’s endpoint host when set, nulls for unlimited quotas and no IPv6, and the sync state as applied', async () => {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, { ipv6Subnet: null });
    const appliedAt = new Date('2026-11-20T10:00:00.000Z');
    await app.get(DataSource).query(
      `UPDATE server SET endpoint_host = 'vpn.example.com', listen_port = 51999, applied_generation = desired_generation,
                         last_applied_at = $2, mtu = NULL WHERE id = $1`,
      [server.serverId, appliedAt],
    );
    const assignment = await assign(app, server.serverId, account.id);
    const [entry] = (await list(account.key).expect(200)).body.servers;
    expect(entry).toMatchObject({
      assignment_id: assignment,
      endpoint: 'vpn.example.com:51999',
      ipv6_subnet: null,
      mtu: null,
      port_forward_range: '1-65535',
      max_users: null,
      max_port_forwards: null,
      users_count: 0,
      sync: { state: 'in_sync', desired_generation: 1, applied_generation: 1, last_error: null, last_applied_at: appliedAt.toISOString() },
    });
  });

  it('pages with limit and cursor, oldest first', async () => {
    const account = await makeAccount(app, 'customer');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await assign(app, (await makeServer(app)).serverId, account.id));
    const first = await list(account.key, '?limit=2').expect(200);
    expect(first.body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual(ids.slice(0, 2));
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await list(account.key, `?limit=2&cursor=${first.body.next_cursor}`).expect(200);
    expect(second.body).toEqual({ servers: [expect.objectContaining({ assignment_id: ids[2] })], next_cursor: null });
    for (const bad of ['?limit=0', '?limit=501', '?limit=x', '?cursor=%%%', '?other=1']) {
      expect((await list(account.key, bad)).status).toBe(422);
    }
  });

  it('shows only the caller’s own assignments: not a customer’s to its reseller, not a sibling’s', async () => {
    const reseller = await makeAccount(app, 'reseller');
    const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
    const sibling = await makeAccount(app, 'customer', { parentId: reseller.id });
    const server = await makeServer(app);
    const parent = await assign(app, server.serverId, reseller.id, { maxUsers: 10 });
    const child = await assign(app, server.serverId, customer.id, { maxUsers: 4, parentAssignmentId: parent });
    const siblings = await assign(app, server.serverId, sibling.id, { maxUsers: 2, parentAssignmentId: parent });
    await request(http).post(`/api/wg/servers/${siblings}/users`).set(bearer(sibling.key)).send({ client_name: 'hidden-name' }).expect(201);

    expect((await list(reseller.key).expect(200)).body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual([parent]);
    const mine = await list(customer.key).expect(200);
    expect(mine.body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual([child]);
    expect(mine.body.servers[0]).toMatchObject({ max_users: 4, users_count: 0 });
    expect(mine.text).not.toContain('hidden-name');
    expect((await list((await makeAccount(app, 'customer')).key).expect(200)).body).toEqual({ servers: [], next_cursor: null });
  });

  it('counts users in one query for the whole page', async () => {
    const account = await makeAccount(app, 'customer');
    for (let i = 0; i < 4; i++) {
      const assignment = await assign(app, (await makeServer(app)).serverId, account.id);
      await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(account.key)).send({ client_name: 'u' }).expect(201);
    }
    // Every query of the app, through a repository or raw, goes through the query runner.
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
    try {
      const response = await list(account.key).expect(200);
      expect(response.body.servers.map((s: { users_count: number }) => s.users_count)).toEqual([1, 1, 1, 1]);
      expect(spy.mock.calls.filter(([sql]) => /FROM wg_user/i.test(String(sql)))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  describe('the one-second list cache', () => {
    const queriesDuring = async (work: () => Promise<unknown>) => {
      const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query');
      try {
        await work();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };

    it('answers a repeated list without the database', async () => {
      const account = await makeAccount(app, 'customer');
      await assign(app, (await makeServer(app)).serverId, account.id);
      await list(account.key).expect(200);
      expect(await queriesDuring(() => list(account.key).expect(200))).toBe(0);
    });

    it("shows this process's writes at once: a new user, a new assignment, a deleted one", async () => {
      const account = await makeAccount(app, 'customer');
      const assignment = await assign(app, (await makeServer(app)).serverId, account.id);
      expect((await list(account.key).expect(200)).body.servers[0].users_count).toBe(0);
      await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(account.key)).send({ client_name: 'fresh' }).expect(201);
      expect((await list(account.key).expect(200)).body.servers[0]).toMatchObject({ users_count: 1, sync: { desired_generation: 2 } });

      const admin = await makeAccount(app, 'admin');
      const other = await makeServer(app);
      const created = await request(http)
        .post('/api/admin/assignments')
        .set(bearer(admin.key))
        .send({ server_id: other.serverId, account_id: account.id })
        .expect(201);
      expect((await list(account.key).expect(200)).body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual([
        assignment,
        created.body.id,
      ]);
      await request(http).delete(`/api/admin/assignments/${assignment}`).set(bearer(admin.key)).expect(200);
      expect((await list(account.key).expect(200)).body.servers.map((s: { assignment_id: number }) => s.assignment_id)).toEqual([
        created.body.id,
      ]);
    });

    it('shows a change made elsewhere (another replica, the reconciler) within a second', async () => {
      const account = await makeAccount(app, 'customer');
      const server = await makeServer(app);
      await assign(app, server.serverId, account.id);
      expect((await list(account.key).expect(200)).body.servers[0].sync.applied_generation).toBe(0);
      // Straight to the table: nothing in this process hears of it.
      await app.get(DataSource).query('UPDATE server SET applied_generation = desired_generation WHERE id = $1', [server.serverId]);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect((await list(account.key).expect(200)).body.servers[0].sync).toMatchObject({ state: 'in_sync', applied_generation: 1 });
    });
  });

  describe('a cached first page, answered before Nest (ServerListFastPath)', () => {
    const remaining = (response: request.Response) => Number(response.headers['x-ratelimit-remaining']);
    const headerNames = (response: request.Response) =>
      Object.keys(response.headers)
        .filter((name) => name !== 'date')
        .sort();

    it('is the same bytes and headers as the controller’s answer, without calling it, and counts each request once', async () => {
      const account = await makeAccount(app, 'customer');
      await assign(app, (await makeServer(app)).serverId, account.id);
      const load = jest.spyOn(app.get(ServerListCache), 'getOrLoad');
      try {
        const miss = await list(account.key).expect(200);
        const hit = await list(account.key).expect(200);
        expect(load).toHaveBeenCalledTimes(1); // the miss; the hit never reached the controller
        // A query string always goes through Nest (here to the same cached page).
        const viaQuery = await list(account.key, '?limit=100').expect(200);
        expect(load).toHaveBeenCalledTimes(2);

        expect(hit.text).toBe(miss.text);
        expect(viaQuery.text).toBe(miss.text);
        expect(headerNames(hit)).toEqual(headerNames(miss));
        expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
        expect(hit.headers['x-request-id']).toEqual(expect.any(String));
        expect(hit.headers['x-request-id']).not.toBe(miss.headers['x-request-id']);
        // One count each: on a miss the hook and the guard share one authorization.
        expect([remaining(hit), remaining(viaQuery)]).toEqual([remaining(miss) - 1, remaining(miss) - 2]);
      } finally {
        load.mockRestore();
      }
    });

    it('refuses a key revoked after its page was cached (401), and still answers the account’s other key', async () => {
      const account = await makeAccount(app, 'customer');
      await assign(app, (await makeServer(app)).serverId, account.id);
      const second = await app.get(ApiKeysService).create(account.id, { name: 'second' });
      await list(account.key).expect(200);
      await list(second.key).expect(200); // cached now
      await app.get(ApiKeysService).revoke(account.id, account.keyId);
      const refused = await list(account.key).expect(401);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ code: 'unauthenticated' });
      await list(second.key).expect(200);
    });

    it('refuses a suspended account (403) and a malformed key (401) with the problem body', async () => {
      const account = await makeAccount(app, 'customer');
      await assign(app, (await makeServer(app)).serverId, account.id);
      await list(account.key).expect(200);
      await app.get(AccountsService).setSuspended(account.id, true);
      expect((await list(account.key).expect(403)).body).toMatchObject({ code: 'account_suspended' });
      expect((await list(tamperedKey(account.key)).expect(401)).body).toMatchObject({ code: 'unauthenticated' });
    });

    it('answers 429 with Retry-After once the key’s limit is spent, like every other route', async () => {
      const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' });
      try {
        const account = await makeAccount(limited, 'customer');
        await assign(limited, (await makeServer(limited)).serverId, account.id);
        for (let i = 0; i < 3; i++) await request(limited.getHttpServer()).get('/api/wg/servers').set(bearer(account.key)).expect(200);
        const refused = await request(limited.getHttpServer()).get('/api/wg/servers').set(bearer(account.key)).expect(429);
        expect(refused.body).toMatchObject({ code: 'rate_limited' });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      } finally {
        await limited.close();
      }
    });
  });

  it('documents the customer routes and the Idempotency-Key header in the OpenAPI document', async () => {
    const doc = (await request(http).get('/docs/openapi.json').expect(200)).body;
    const operations: Array<[string, string]> = [
      ['/api/wg/servers', 'get'],
      ['/api/wg/servers/{id}/users', 'get'],
      ['/api/wg/servers/{id}/users', 'post'],
      ['/api/wg/servers/{id}/status', 'get'],
      ['/api/wg/users/{id}', 'get'],
      ['/api/wg/users/{id}', 'delete'],
    ];
    for (const [path, method] of operations) {
      expect({ path, method, summary: doc.paths[path]?.[method]?.summary }).toEqual({ path, method, summary: expect.any(String) });
    }
    const headers = doc.paths['/api/wg/servers/{id}/users'].post.parameters.filter((p: { in: string }) => p.in === 'header');
    expect(headers.map((p: { name: string }) => p.name)).toEqual(['Idempotency-Key']);
  });
});
