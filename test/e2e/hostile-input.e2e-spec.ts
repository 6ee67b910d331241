import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { encodeCursor } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { fieldCases, structuralBodyCases, urlCases, type FieldSpec, type HostileCase } from '../support/hostile/hostile-cases.js';
import { changedTables, snapshotDatabase } from '../support/hostile/db-snapshot.js';
import { startRecordedApp, type ServedRoute } from '../support/hostile/recorded-app.js';
import { fieldSpecsOf, recordedWgdInputs } from '../support/hostile/wgd-recorded-inputs.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';
import { makeAccount } from '../support/test-app.js';
import { makeUser } from '../support/user-factory.js';
import { testDatabaseUrl } from '../setup/test-database.js';

/**
 * Every route the app serves — read from Fastify's route table as the app registers it, so a new
 * route is covered or this file fails — is sent hostile input: bodies of the wrong JSON type,
 * 5,000 levels of nesting, NUL characters in strings, keys, path parameters and queries, line
 * breaks, oversize strings, numbers and arrays, each field in turn with the rest of the body
 * valid. Every answer must be a 4xx in the route's own error format (the WGDashboard API may also
 * answer a business failure with HTTP 200 and status:false, as upstream does), and no table may
 * change: the app runs on a database of its own, snapshotted around each route.
 */
jest.setTimeout(120_000);

type Api = 'portal' | 'wgd';
type Auth = 'admin' | 'reseller' | 'customer' | 'wgd' | 'none';

interface RouteInput {
  /** A valid body for the route (the one field under test is replaced); omitted: the route reads none. */
  base?: Record<string, unknown>;
  fields?: Record<string, FieldSpec>;
  /** The query the route reads, with valid values. */
  query?: Record<string, string>;
}

const str: FieldSpec = { kind: 'string' };
const nullableStr: FieldSpec = { kind: 'string', nullable: true };
const int: FieldSpec = { kind: 'int' };
const count: FieldSpec = { kind: 'int', zeroOk: true };
const quota: FieldSpec = { kind: 'int', zeroOk: true, nullable: true };
const expiry: FieldSpec = { kind: 'date', nullable: true };
const rate: FieldSpec = { kind: 'mbps', nullable: true };
/** A user's plan, valid, and its fields (the create takes it, PATCH /users/{id} all but bandwidth). */
const PLAN = {
  enabled: true,
  expires_at: '2999-01-01T00:00:00Z',
  data_limit: { bytes: 5_000_000, period: 'monthly', reset_day: 1, action: 'throttle', throttle_mbps: 1 },
};
const PLAN_FIELDS: Record<string, FieldSpec> = {
  enabled: { kind: 'bool' },
  expires_at: expiry,
  data_limit: { kind: 'object', nullable: true },
  'data_limit.bytes': int,
  'data_limit.period': str,
  'data_limit.reset_day': int,
  'data_limit.action': str,
  'data_limit.throttle_mbps': { kind: 'mbps' },
};
const PAGE = { limit: '10', cursor: encodeCursor(1) };

/** Routes that take no input at all and serve files: the API docs. */
const STATIC_ROUTES = new Set(['GET /docs', 'GET /docs/assets/init.js', 'GET /docs/openapi.json', 'GET /docs/openapi.yaml']);
/** WGDashboard fields that are deliberately text files (a configuration, an e-mail body): line breaks belong there. */
const WGD_MULTI_LINE_FIELDS = new Set(['rawConfiguration', 'Body']);
/**
 * WGDashboard POSTs that read no body at all (the setup wizard's steps wgfleet has no account for, and
 * the catch-all for unknown routes): structural cases are all there is to send them.
 */
const WGD_POSTS_READING_NO_BODY = new Set(['POST /api/Welcome_VerifyTotpLink', 'POST /api/Welcome_Finish', 'POST /api/*']);

describe('hostile input on every route', () => {
  let app: NestFastifyApplication;
  let routes: ServedRoute[];
  let db: Client;
  const keys: Record<Exclude<Auth, 'none'>, string> = { admin: '', reseller: '', customer: '', wgd: '' };
  let portal: Record<string, RouteInput>;
  let params: Record<string, Record<string, string>>;

  beforeAll(async () => {
    const recorded = await startRecordedApp(`wgfleet_hostile_${process.pid}`, { RATE_LIMIT_PER_MINUTE: '1000000', AUTH_FAILURES_PER_MINUTE: '1000000' });
    ({ app, routes } = recorded);
    db = new Client({ connectionString: recorded.databaseUrl });
    await db.connect();

    const admin = await makeAccount(app, 'admin');
    const reseller = await makeAccount(app, 'reseller');
    const customer = await makeAccount(app, 'customer');
    const resold = await makeAccount(app, 'customer', { parentId: reseller.id });
    const spare = await makeAccount(app, 'customer');
    Object.assign(keys, { admin: admin.key, reseller: reseller.key, customer: customer.key });
    const server = await makeServer(app, { forwardRange: [20000, 29999] });
    const assignment = await assign(app, server.serverId, customer.id);
    const resellerAssignment = await assign(app, server.serverId, reseller.id, { maxUsers: 10, maxPortForwards: 10 });
    const user = await makeUser(app, assignment);
    const inject = app.getHttpAdapter().getInstance();
    const forward = await inject.inject({
      method: 'POST',
      url: `/api/wg/users/${user.id}/port-forwards`,
      headers: { authorization: `Bearer ${customer.key}` },
      payload: { external_port: 20000, internal_port: 80 },
    });
    expect(forward.statusCode).toBe(201);
    const wgdKey = await inject.inject({
      method: 'POST',
      url: `/api/admin/nodes/${server.nodeId}/wgdashboard-keys`,
      headers: { authorization: `Bearer ${admin.key}` },
      payload: {},
    });
    expect(wgdKey.statusCode).toBe(201);
    keys.wgd = wgdKey.json().key;
    const [secondKey] = await app.get(DataSource).query(`SELECT id FROM api_key WHERE account_id = $1`, [customer.id]);

    const ssh = ed25519KeyPair();
    params = {
      '/api/admin/accounts/:id': { id: String(spare.id) },
      '/api/admin/assignments/:id': { id: String(assignment) },
      '/api/admin/nodes/:id': { id: String(server.nodeId) },
      '/api/admin/servers/:id': { id: String(server.serverId) },
      '/api/wg/api-keys/:id': { id: String(secondKey.id) },
      '/api/wg/customers/:id': { id: String(resold.id) },
      '/api/wg/port-forwards/:id': { id: String(forward.json().id) },
      '/api/wg/users/:id': { id: String(user.id) },
      '/api/wg/servers/:id/delegations': { id: String(resellerAssignment) },
      '/api/wg/servers/:id': { id: String(assignment) },
    };
    const apiKey = { base: { name: 'hostile key', expires_at: '2999-01-01T00:00:00Z' }, fields: { name: str, expires_at: expiry } };
    const serverSettings = {
      dns: { kind: 'strings' } as FieldSpec,
      mtu: { kind: 'int', nullable: true } as FieldSpec,
      endpoint_host: nullableStr,
      port_forward_range: str,
      reserved_ports: { kind: 'ints' } as FieldSpec,
    };
    // `resolvers` is a list of objects: every hostile value of the 'object' kind (null, [], a string, …) is one to refuse.
    const dnsBody = { base: { resolvers: [{ address: '1.1.1.1', tls_name: 'cloudflare-dns.com', port: 853 }] }, fields: { resolvers: { kind: 'object' } as FieldSpec } };
    const settingsBase = { dns: ['1.1.1.1'], mtu: 1420, endpoint_host: 'vpn.example.com', port_forward_range: '20000-29999', reserved_ports: [22000] };
    portal = {
      'POST /api/admin/accounts': { base: { name: 'Hostile Co', kind: 'customer', parent_id: reseller.id }, fields: { name: str, kind: str, parent_id: int } },
      'GET /api/admin/accounts': { query: { ...PAGE, kind: 'customer', parent_id: String(reseller.id) } },
      'GET /api/admin/accounts/:id': {},
      'POST /api/admin/accounts/:id/suspend': {},
      'POST /api/admin/accounts/:id/unsuspend': {},
      'POST /api/admin/accounts/:id/api-keys': apiKey,
      'POST /api/admin/assignments': {
        base: { server_id: server.serverId, account_id: spare.id, max_users: 5, max_port_forwards: 5 },
        fields: { server_id: int, account_id: int, max_users: quota, max_port_forwards: quota },
      },
      'GET /api/admin/assignments': { query: { ...PAGE, server_id: String(server.serverId), account_id: String(customer.id) } },
      'DELETE /api/admin/assignments/:id': {},
      'POST /api/admin/nodes': {
        base: {
          name: 'hostile-node',
          transport: 'ssh',
          public_ipv4: '198.51.100.77',
          public_ipv6: '2001:db8::77',
          ssh: { host: '198.51.100.77', port: 22, username: 'wgfleet', private_key: ssh.private, host_key: ssh.public },
        },
        fields: {
          name: str,
          transport: str,
          public_ipv4: str,
          public_ipv6: nullableStr,
          ssh: { kind: 'object', nullable: true },
          'ssh.host': str,
          'ssh.port': int,
          'ssh.username': str,
          'ssh.private_key': { kind: 'string', multiLine: true },
          'ssh.host_key': str,
        },
      },
      'GET /api/admin/nodes': { query: PAGE },
      'GET /api/admin/nodes/:id': {},
      'DELETE /api/admin/nodes/:id': {},
      'POST /api/admin/nodes/:id/servers': {
        base: { name: 'Hostile 1', location: 'Lab', interface: 'wg7', listen_port: 51999, ipv4_subnet: '10.99.0.0/24', ipv6_subnet: 'fd42:99::/64', ...settingsBase },
        fields: { name: str, location: str, interface: str, listen_port: int, ipv4_subnet: str, ipv6_subnet: nullableStr, ...serverSettings },
      },
      'POST /api/admin/nodes/:id/wgdashboard-keys': { base: { expires_at: '2999-01-01T00:00:00Z' }, fields: { expires_at: expiry } },
      'GET /api/admin/servers': { query: { ...PAGE, node_id: String(server.nodeId) } },
      'GET /api/admin/servers/:id': {},
      'PATCH /api/admin/servers/:id': { base: { name: 'Renamed', location: 'Elsewhere', ...settingsBase }, fields: { name: str, location: str, ...serverSettings } },
      'DELETE /api/admin/servers/:id': {},
      'POST /api/admin/servers/:id/reconcile': {},
      'GET /api/admin/servers/:id/users': { query: PAGE },
      'GET /api/admin/servers/:id/dns': {},
      'PUT /api/admin/servers/:id/dns': dnsBody,
      'DELETE /api/admin/servers/:id/dns': {},
      'GET /api/admin/audit': { query: { ...PAGE, account_id: String(customer.id) } },
      'GET /api/wg/api-keys': { query: PAGE },
      'POST /api/wg/api-keys': apiKey,
      'DELETE /api/wg/api-keys/:id': {},
      'GET /api/wg/customers': { query: PAGE },
      'POST /api/wg/customers': { base: { name: 'Hostile Customer' }, fields: { name: str } },
      'DELETE /api/wg/customers/:id': {},
      'POST /api/wg/customers/:id/api-keys': apiKey,
      'POST /api/wg/servers/:id/delegations': {
        base: { customer_id: resold.id, max_users: 1, max_port_forwards: 1 },
        fields: { customer_id: int, max_users: count, max_port_forwards: count },
      },
      'GET /api/wg/servers': { query: PAGE },
      'GET /api/wg/servers/:id/status': {},
      'GET /api/wg/servers/:id/dns': {},
      'PUT /api/wg/servers/:id/dns': dnsBody,
      'DELETE /api/wg/servers/:id/dns': {},
      'GET /api/wg/servers/:id/users': { query: { ...PAGE, name: user.clientName, public_key: encodeURIComponent(generateKeyPair().publicKey), ip: user.ipv4, online: 'true' } },
      'POST /api/wg/servers/:id/users': {
        base: {
          client_name: 'hostile', public_key: generateKeyPair().publicKey, preshared_key: true, dns: ['1.1.1.1'], allowed_ips: ['0.0.0.0/0'], persistent_keepalive: 25,
          bandwidth: { download_mbps: 8, upload_mbps: 4 }, ...PLAN,
        },
        fields: {
          client_name: str, public_key: str, preshared_key: { kind: 'bool' }, dns: { kind: 'strings' }, allowed_ips: { kind: 'strings' }, persistent_keepalive: count,
          bandwidth: { kind: 'object' }, 'bandwidth.download_mbps': rate, 'bandwidth.upload_mbps': rate, ...PLAN_FIELDS,
        },
      },
      'GET /api/wg/users/:id': {},
      'PATCH /api/wg/users/:id': { base: PLAN, fields: PLAN_FIELDS },
      'GET /api/wg/users/:id/bandwidth': {},
      'PUT /api/wg/users/:id/bandwidth': { base: { download_mbps: 8, upload_mbps: 4 }, fields: { download_mbps: rate, upload_mbps: rate } },
      'DELETE /api/wg/users/:id/bandwidth': {},
      'DELETE /api/wg/users/:id': {},
      'GET /api/wg/users/:id/config.conf': {},
      'GET /api/wg/users/:id/config.png': {},
      'GET /api/wg/users/:id/config.svg': {},
      'GET /api/wg/users/:id/port-forwards': { query: PAGE },
      'POST /api/wg/users/:id/port-forwards': {
        base: { external_port: 20001, internal_port: 80, protocol: 'tcp', comment: 'web' },
        fields: { external_port: int, internal_port: int, protocol: str, comment: str },
      },
      'DELETE /api/wg/port-forwards/:id': {},
      'GET /health': {},
      'GET /ready': {},
      'GET /metrics': {},
    };
  });

  afterAll(async () => {
    await db?.end();
    await app?.close();
    await dropDatabase(`wgfleet_hostile_${process.pid}`);
  });

  const isPortal = (route: ServedRoute) => /^\/api\/(wg|admin)(\/|$)/.test(route.url) || ['/health', '/ready', '/metrics'].includes(route.url);
  const keyOf = (route: ServedRoute) => `${route.method} ${route.url}`;
  const authOf = (route: ServedRoute): Auth => {
    if (!isPortal(route)) return 'wgd';
    if (route.url.startsWith('/api/admin')) return 'admin';
    if (/^\/api\/wg\/(customers|servers\/:id\/delegations)/.test(route.url)) return 'reseller';
    return route.url.startsWith('/api/wg') ? 'customer' : 'none';
  };
  const paramsOf = (route: ServedRoute): Record<string, string> => {
    if (!isPortal(route)) return route.url.includes(':configName') ? { configName: 'wg0' } : {};
    const prefix = Object.keys(params)
      .filter((candidate) => route.url.startsWith(candidate))
      .sort((a, b) => b.length - a.length)[0];
    return prefix ? params[prefix] : {};
  };
  const takesBody = (route: ServedRoute) => ['POST', 'PATCH', 'PUT', 'DELETE'].includes(route.method);

  /** Every case for one route: URL cases, and for a route that parses a body, body cases. */
  function casesFor(route: ServedRoute, input: RouteInput): HostileCase[] {
    const routeParams = paramsOf(route);
    const query = input.query ?? {};
    const cases = urlCases(route.url, routeParams, query, { paramsMayBeAnyText: !isPortal(route), caughtByWildcard: route.url.startsWith('/api/') });
    if (takesBody(route)) {
      const url = route.url.replace(/:(\w+)|\*/g, (_m, name: string | undefined) => (name ? routeParams[name] : ''));
      const base = input.base ?? {};
      cases.push(...structuralBodyCases(url, base, route.method));
      if (input.fields) cases.push(...fieldCases(url, base, input.fields));
    }
    return cases;
  }

  function wgdInputs(): Map<string, RouteInput> {
    const wgdRoutes = routes.filter((route) => !isPortal(route) && !STATIC_ROUTES.has(keyOf(route)) && route.url !== '/docs/assets/:file');
    const recorded = recordedWgdInputs(wgdRoutes.map(keyOf));
    return new Map(
      wgdRoutes.map((route) => {
        const input = recorded.get(keyOf(route)) ?? { query: {}, body: {} };
        // One peer per case, not a bulk of them: the recorded bulk request makes every other field moot.
        if ('bulkAdd' in input.body) input.body.bulkAdd = false;
        const query = Object.fromEntries(Object.entries(input.query).map(([name, value]) => [name, /configurationName|Configuration/i.test(name) ? 'wg0' : value]));
        return [keyOf(route), { query, base: input.body, fields: fieldSpecsOf(input.body, WGD_MULTI_LINE_FIELDS) }];
      }),
    );
  }

  it('has a case generator for every route the app serves', () => {
    expect(routes.length).toBeGreaterThan(90);
    const portalMissing = routes.filter((route) => isPortal(route) && !(keyOf(route) in portal)).map(keyOf);
    expect(portalMissing).toEqual([]);
    // A WGDashboard route is covered by the recorded requests to it; a POST nobody recorded would be
    // sent structural cases only, which cannot show that its fields are checked.
    const wgd = wgdInputs();
    const wgdPostsWithoutFields = [...wgd.entries()].filter(([key, input]) => key.startsWith('POST ') && !WGD_POSTS_READING_NO_BODY.has(key) && Object.keys(input.fields ?? {}).length === 0).map(([key]) => key);
    expect(wgdPostsWithoutFields).toEqual([]);
    const unknown = routes.filter((route) => !isPortal(route) && !wgd.has(keyOf(route)) && !STATIC_ROUTES.has(keyOf(route)) && route.url !== '/docs/assets/:file');
    expect(unknown.map(keyOf)).toEqual([]);
  });

  it('answers every hostile case with a 4xx in the API’s format and writes nothing', async () => {
    const fastify = app.getHttpAdapter().getInstance();
    const wgd = wgdInputs();
    const failures: string[] = [];
    let sent = 0;
    const plan: Array<[ServedRoute, Api, RouteInput]> = routes.flatMap((route): Array<[ServedRoute, Api, RouteInput]> => {
      if (STATIC_ROUTES.has(keyOf(route))) return [];
      if (route.url === '/docs/assets/:file') return [[route, 'portal', {}]];
      return isPortal(route) ? [[route, 'portal', portal[keyOf(route)] ?? {}]] : [[route, 'wgd', wgd.get(keyOf(route)) ?? {}]];
    });
    for (const [route, api, input] of plan) {
      const auth = authOf(route);
      const headers: Record<string, string> =
        auth === 'wgd' ? { 'wg-dashboard-apikey': keys.wgd } : auth === 'none' ? {} : { authorization: `Bearer ${keys[auth]}` };
      const cases = casesFor(route, input);
      const send = async (hostile: HostileCase, strict: boolean) => {
        sent++;
        const response = await fastify.inject({
          method: route.method as 'GET',
          url: hostile.url,
          headers: hostile.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          payload: hostile.body,
        });
        // Fastify refuses a QUERY request without Content-Type before any route runs (the WGDashboard
        // catch-all registers every method): answered as problem+json, like every framework refusal.
        const unrouted = hostile.unrouted === true || (route.method === 'QUERY' && hostile.body === undefined);
        const problem = verdict(unrouted ? 'portal' : api, strict, response.statusCode, String(response.headers['content-type'] ?? ''), response.body);
        if (problem) failures.push(`${keyOf(route)} — ${hostile.label}: ${problem}`);
      };
      // The WGDashboard API answers a field's value as upstream does: those cases run after the
      // snapshot, and only must not fail (5xx) or leave the envelope.
      const strict = cases.filter((hostile) => api === 'portal' || hostile.everywhere);
      const before = await snapshotDatabase(db);
      for (const hostile of strict) await send(hostile, true);
      const changed = changedTables(before, await snapshotDatabase(db));
      if (changed.length > 0) failures.push(`${keyOf(route)} — wrote to ${changed.join(', ')}`);
      const lenient = cases.filter((candidate) => !strict.includes(candidate));
      for (let at = 0; at < lenient.length; at += 4) await Promise.all(lenient.slice(at, at + 4).map((hostile) => send(hostile, false)));
    }
    expect(sent).toBeGreaterThan(2_000);
    if (failures.length > 0) throw new Error(`${failures.length} hostile cases were not refused properly:\n${failures.slice(0, 200).join('\n')}`);
  });
});

/**
 * What is wrong with an answer to a hostile case, or null when it is a proper refusal. `strict`:
 * the input must be refused (a 4xx; in the WGDashboard API also HTTP 200 with status:false, as
 * upstream answers business failures); otherwise it must only not fail or leave the API's format.
 */
function verdict(api: Api, strict: boolean, status: number, contentType: string, body: string): string | null {
  if (api === 'portal') {
    if (status < 400 || status >= 500) return `HTTP ${status} ${body.slice(0, 200)}`;
    if (contentType !== 'application/problem+json; charset=utf-8') return `HTTP ${status} content type ${contentType}: ${body.slice(0, 200)}`;
    return null;
  }
  if (status >= 500 || (status >= 200 && status < 400 && status !== 200)) return `HTTP ${status} ${body.slice(0, 200)}`;
  if (contentType !== 'application/json') return `HTTP ${status} content type ${contentType}: ${body.slice(0, 200)}`;
  let envelope: { status?: unknown; message?: unknown };
  try {
    envelope = JSON.parse(body);
  } catch {
    return `not the envelope: ${body.slice(0, 200)}`;
  }
  if (strict && envelope.status !== false) return `HTTP ${status} status ${String(envelope.status)}: ${body.slice(0, 200)}`;
  if (status >= 400 && envelope.status !== false) return `HTTP ${status} with status ${String(envelope.status)}`;
  return null;
}

/** The file's own database goes when it is done (the run's PostgreSQL may outlive it). */
async function dropDatabase(name: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
  } finally {
    await client.end();
  }
}
