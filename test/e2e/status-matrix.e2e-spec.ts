import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * The spec's status table on each customer route (the spec's nine, the plan routes and the DNS
 * routes since), from the outside: 401, 403 (another account's resource), 404 (a missing one), 409,
 * 422, 429 — and 413/415/400 on the routes that take a body.
 * Each feature's own spec goes deeper; this one checks that no route was left out.
 */
describe("the spec's status codes on the customer routes", () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let own: { key: string; assignment: number; user: number; forward: number };
  let other: { key: string; assignment: number; user: number; forward: number };
  const MISSING = 987_654_321;

  const createUser = (key: string, assignment: number, name: string) =>
    request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key)).send({ client_name: name });

  async function tenant(name: string) {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, { forwardRange: [20000, 29999] });
    const assignment = await assign(app, server.serverId, account.id);
    const user = (await createUser(account.key, assignment, name).expect(201)).body.id as number;
    const forward = (
      await request(http).post(`/api/wg/users/${user}/port-forwards`).set(bearer(account.key)).send({ protocol: 'tcp' }).expect(201)
    ).body.id as number;
    return { key: account.key, assignment, user, forward };
  }

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    own = await tenant('mine');
    other = await tenant('theirs');
  });
  afterAll(async () => {
    await app.close();
  });

  type Route = { method: 'get' | 'post' | 'put' | 'patch' | 'delete'; path: (ids: typeof other) => string; body?: object };
  const ROUTES: Record<string, Route> = {
    'GET /servers/{id}/users': { method: 'get', path: (ids) => `/api/wg/servers/${ids.assignment}/users` },
    'POST /servers/{id}/users': { method: 'post', path: (ids) => `/api/wg/servers/${ids.assignment}/users`, body: { client_name: 'probe' } },
    'GET /servers/{id}/status': { method: 'get', path: (ids) => `/api/wg/servers/${ids.assignment}/status` },
    'GET /users/{id}': { method: 'get', path: (ids) => `/api/wg/users/${ids.user}` },
    'PATCH /users/{id}': { method: 'patch', path: (ids) => `/api/wg/users/${ids.user}`, body: { enabled: true } },
    'GET /users/{id}/bandwidth': { method: 'get', path: (ids) => `/api/wg/users/${ids.user}/bandwidth` },
    'PUT /users/{id}/bandwidth': { method: 'put', path: (ids) => `/api/wg/users/${ids.user}/bandwidth`, body: { download_mbps: 8 } },
    'DELETE /users/{id}/bandwidth': { method: 'delete', path: (ids) => `/api/wg/users/${ids.user}/bandwidth` },
    'DELETE /users/{id}': { method: 'delete', path: (ids) => `/api/wg/users/${ids.user}` },
    'GET /users/{id}/port-forwards': { method: 'get', path: (ids) => `/api/wg/users/${ids.user}/port-forwards` },
    'POST /users/{id}/port-forwards': { method: 'post', path: (ids) => `/api/wg/users/${ids.user}/port-forwards`, body: { protocol: 'udp' } },
    'DELETE /port-forwards/{id}': { method: 'delete', path: (ids) => `/api/wg/port-forwards/${ids.forward}` },
    'GET /servers/{id}/dns': { method: 'get', path: (ids) => `/api/wg/servers/${ids.assignment}/dns` },
    'PUT /servers/{id}/dns': {
      method: 'put',
      path: (ids) => `/api/wg/servers/${ids.assignment}/dns`,
      body: { resolvers: [{ address: '1.1.1.1', tls_name: 'cloudflare-dns.com' }] },
    },
    'DELETE /servers/{id}/dns': { method: 'delete', path: (ids) => `/api/wg/servers/${ids.assignment}/dns` },
  };
  const call = (route: Route, ids: typeof other, headers: Record<string, string>) => {
    const pending = request(http)[route.method](route.path(ids)).set(headers);
    return route.body ? pending.send(route.body) : pending;
  };

  it('401 on every route without a key, with nothing of the resource in the body', async () => {
    for (const route of [...Object.values(ROUTES), { method: 'get', path: () => '/api/wg/servers' } as Route]) {
      const response = await call(route, other, {});
      expect({ route: route.path(other), status: response.status }).toEqual({ route: route.path(other), status: 401 });
      expect(response.body.code).toBe('unauthenticated');
    }
  });

  it.each(Object.entries(ROUTES))('%s: 403 on another account’s resource, leaking nothing, changing nothing', async (_name, route) => {
    const before = await request(http).get(`/api/wg/users/${other.user}/port-forwards`).set(bearer(own.key));
    expect(before.status).toBe(403);
    const response = await call(route, other, bearer(own.key));
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('forbidden');
    expect(response.text).not.toContain('theirs');
    expect(response.text).not.toMatch(/PrivateKey|private_key"\s*:\s*"/);
  });

  it.each(Object.entries(ROUTES))('%s: 404 on a missing id', async (_name, route) => {
    const missing = { key: '', assignment: MISSING, user: MISSING, forward: MISSING };
    const response = await call(route, missing, bearer(own.key));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
  });

  it('the other tenant still has its user and forward after all those attempts', async () => {
    await request(http).get(`/api/wg/users/${other.user}`).set(bearer(other.key)).expect(200);
    const forwards = await request(http).get(`/api/wg/users/${other.user}/port-forwards`).set(bearer(other.key)).expect(200);
    expect(forwards.body.port_forwards.map((f: { id: number }) => f.id)).toEqual([other.forward]);
  });

  it.each([
    ['POST /servers/{id}/users', () => `/api/wg/servers/${own.assignment}/users`],
    ['POST /users/{id}/port-forwards', () => `/api/wg/users/${own.user}/port-forwards`],
    ['PUT /users/{id}/bandwidth', () => `/api/wg/users/${own.user}/bandwidth`, 'put'],
    ['PATCH /users/{id}', () => `/api/wg/users/${own.user}`, 'patch'],
  ] as Array<[string, () => string, ('post' | 'put' | 'patch')?]>)('%s: 400 malformed, 415 not JSON, 413 too large, 422 an array body or an unknown field', async (_name, path, method = 'post') => {
    const post = () => request(http)[method](path()).set(bearer(own.key));
    expect((await post().set('content-type', 'application/json').send('{"client_name": ')).body.code).toBe('malformed_json');
    expect((await post().set('content-type', 'text/plain').send('client_name=x')).status).toBe(415);
    expect((await post().set('content-type', 'application/x-www-form-urlencoded').send('client_name=x')).status).toBe(415);
    expect((await post().send({ comment: 'x'.repeat(70_000) })).status).toBe(413);
    expect((await post().set('content-type', 'application/json').send('[{"client_name":"x"}]')).status).toBe(422);
    const unknown = await post().send({ client_name: 'x', protocol: 'tcp', is_admin: true });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'is_admin' })]));
  });

  it('409 on a duplicate name and on a port in use', async () => {
    expect((await createUser(own.key, own.assignment, 'mine')).body.code).toBe('duplicate_name');
    const forward = (await request(http).get(`/api/wg/users/${own.user}/port-forwards`).set(bearer(own.key)).expect(200)).body
      .port_forwards[0];
    const again = await request(http)
      .post(`/api/wg/users/${own.user}/port-forwards`)
      .set(bearer(own.key))
      .send({ external_port: forward.external_port, protocol: 'tcp' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('port_in_use');
  });

  it('429 on the 61st request of a window, spread over every customer route, with Retry-After', async () => {
    const caller = await makeAccount(app, 'customer');
    const server = await makeServer(app, { forwardRange: [20000, 29999] });
    const ids = { ...other, assignment: await assign(app, server.serverId, caller.id) };
    ids.user = (await createUser(caller.key, ids.assignment, 'rate')).body.id;
    const routes = [{ method: 'get', path: () => '/api/wg/servers' } as Route, ...Object.values(ROUTES)];
    const statuses: number[] = [1]; // the create above was the first request of the window
    for (let i = 0; statuses.length < 60; i++) {
      const route = routes[i % routes.length];
      const response = await call(route, { ...ids, forward: MISSING }, bearer(caller.key));
      statuses.push(response.status);
    }
    expect(statuses).not.toContain(429);
    const refused = await request(http).get('/api/wg/servers').set(bearer(caller.key));
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
  });
});
