import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { WgdApiKeys } from '@wgfleet/wgdashboard';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * What clients nobody here wrote need from the WGDashboard API: WGDashboard 4.2.5's own web page in
 * "Access Remote Server" mode (cross-origin, so every call is preceded by a CORS preflight), and
 * SDKs that read `status`; and what an attacker guessing keys meets: the portal's per-address
 * failed-authentication limit, one count for both APIs.
 */

const ORIGIN = 'http://wgdashboard-page.example';
const PREFLIGHT = { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type,wg-dashboard-apikey' };
const envelope = (data: unknown, message: unknown, status: boolean) => `{"data":${JSON.stringify(data)},"message":${JSON.stringify(message)},"status":${status}}\n`;
const NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const TOO_MANY = 'Too many failed authentication attempts from this address; retry after the Retry-After seconds';

/** Every call the committed build of WGDashboard 4.2.5's web page makes (src/static/app/dist), as the page makes it. */
const WEB_PAGE_CALLS: Array<[method: 'GET' | 'POST', path: string]> = [
  ['GET', '/api/handshake'],
  ['POST', '/api/authenticate'],
  ['GET', '/api/validateAuthentication'],
  ['GET', '/api/signout'],
  ['GET', '/api/locale'],
  ['GET', '/api/locale/available'],
  ['POST', '/api/locale/update'],
  ['GET', '/api/getDashboardVersion'],
  ['GET', '/api/getDashboardTheme'],
  ['GET', '/api/isTotpEnabled'],
  ['GET', '/api/getDashboardConfiguration'],
  ['POST', '/api/updateDashboardConfigurationItem'],
  ['GET', '/api/getDashboardAPIKeys'],
  ['POST', '/api/newDashboardAPIKey'],
  ['POST', '/api/deleteDashboardAPIKey'],
  ['GET', '/api/getDashboardUpdate'],
  ['GET', '/api/protocolsEnabled'],
  ['GET', '/api/Welcome_GetTotpLink'],
  ['POST', '/api/Welcome_VerifyTotpLink'],
  ['POST', '/api/Welcome_Finish'],
  ['GET', '/api/getWireguardConfigurations'],
  ['POST', '/api/addWireguardConfiguration'],
  ['POST', '/api/deleteWireguardConfiguration'],
  ['POST', '/api/renameWireguardConfiguration'],
  ['POST', '/api/updateWireguardConfiguration'],
  ['GET', '/api/toggleWireguardConfiguration'],
  ['GET', '/api/getWireguardConfigurationInfo'],
  ['GET', '/api/getWireguardConfigurationRawFile'],
  ['POST', '/api/updateWireguardConfigurationRawFile'],
  ['GET', '/api/getWireguardConfigurationRealtimeTraffic'],
  ['GET', '/api/getWireguardConfigurationBackup'],
  ['GET', '/api/getAllWireguardConfigurationBackup'],
  ['GET', '/api/createWireguardConfigurationBackup'],
  ['POST', '/api/deleteWireguardConfigurationBackup'],
  ['GET', '/api/downloadWireguardConfigurationBackup'],
  ['POST', '/api/restoreWireguardConfigurationBackup'],
  ['POST', '/api/addPeers/wg0'],
  ['POST', '/api/updatePeerSettings/wg0'],
  ['POST', '/api/resetPeerData/wg0'],
  ['POST', '/api/deletePeers/wg0'],
  ['POST', '/api/restrictPeers/wg0'],
  ['POST', '/api/allowAccessPeers/wg0'],
  ['GET', '/api/downloadPeer/wg0'],
  ['GET', '/api/downloadAllPeers/wg0'],
  ['GET', '/api/getAvailableIPs/wg0'],
  ['GET', '/api/getNumberOfAvailableIPs/wg0'],
  ['GET', '/api/getPeerScheduleJobLogs/wg0'],
  ['POST', '/api/savePeerScheduleJob'],
  ['POST', '/api/deletePeerScheduleJob'],
  ['POST', '/api/sharePeer/create'],
  ['POST', '/api/sharePeer/update'],
  ['GET', '/api/sharePeer/get'],
  ['GET', '/api/email/ready'],
  ['POST', '/api/email/previewBody'],
  ['POST', '/api/email/send'],
  ['GET', '/api/ping/getAllPeersIpAddress'],
  // Without their parameters, so nothing is run on this machine (the test app's node is a made-up row).
  ['GET', '/api/ping/execute'],
  ['GET', '/api/traceroute/execute'],
  ['GET', '/api/systemStatus'],
];
/** Run on the key's node whatever they are given; only their preflight is sent here. */
const RUNS_ON_THE_NODE = new Set(['/api/systemStatus']);

describe('WGDashboard API: what real clients need', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let key: string;
  let clients = 0;
  /** A client address of its own for each test (X-Forwarded-For, from the trusted loopback), so limits do not carry over. */
  const newClient = () => `198.51.100.${++clients}`;

  beforeAll(async () => {
    app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '4', TRUST_PROXY: '127.0.0.1' });
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.200') RETURNING id`, [
      `wgd-clients-${process.pid}-${Date.now()}`,
    ]);
    key = (await request(http).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
  });
  afterAll(async () => {
    await app.close();
  });

  describe('failed authentications: one per-address limit for both APIs (AUTH_FAILURES_PER_MINUTE=4 here)', () => {
    it('refuses the fifth failure from an address with 429 in the envelope, CORS headers and Retry-After, counting the portal’s failures too', async () => {
      const client = newClient();
      const wgd = (path: string, wgdKey?: string) => {
        const call = request(http).get(path).set('x-forwarded-for', client).set('origin', ORIGIN);
        return wgdKey === undefined ? call : call.set('wg-dashboard-apikey', wgdKey);
      };
      const portal = (authorization: string) => request(http).get('/api/wg/servers').set('x-forwarded-for', client).set('authorization', authorization);

      await portal('Bearer wg_not-a-key').expect(401);
      await portal('Bearer wg_not-a-key-either').expect(401);
      expect((await wgd('/api/handshake', 'guess-1').expect(401)).text).toBe(envelope(null, 'API Key does not exist', false));
      expect((await wgd('/api/getWireguardConfigurations').expect(401)).text).toBe(envelope(null, 'Unauthorized access.', false));

      const refused = await wgd('/api/handshake', 'guess-2').expect(429);
      expect(refused.text).toBe(envelope(null, TOO_MANY, false));
      expect(refused.headers).toMatchObject({ 'content-type': 'application/json', 'access-control-allow-origin': ORIGIN, vary: 'Origin' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      // The portal sees the same count, and answers its own way.
      expect((await portal('Bearer wg_another-guess').expect(429)).body.code).toBe('rate_limited');

      // Valid keys are never refused by it; other addresses are counted apart.
      await wgd('/api/handshake', key).expect(200);
      await request(http).get('/api/wg/servers').set('x-forwarded-for', client).set(bearer(admin.key)).expect(200);
      await request(http).get('/api/handshake').set('x-forwarded-for', newClient()).set('wg-dashboard-apikey', 'guess-3').expect(401);
    });

    it('does not count the open routes upstream whitelists when they are called without a key', async () => {
      const client = newClient();
      for (let i = 0; i < 6; i++) await request(http).get('/api/getDashboardVersion').set('x-forwarded-for', client).expect(200);
      for (let i = 0; i < 4; i++) await request(http).get('/api/handshake').set('x-forwarded-for', client).expect(401);
      await request(http).get('/api/handshake').set('x-forwarded-for', client).expect(429);
    });

    it('never refuses or counts a CORS preflight: it carries no key, whatever the path', async () => {
      const client = newClient();
      const preflight = (path: string, wgdKey?: string) => {
        const call = request(http).options(path).set('x-forwarded-for', client).set(PREFLIGHT);
        return wgdKey === undefined ? call : call.set('wg-dashboard-apikey', wgdKey);
      };
      for (let i = 0; i < 6; i++) {
        expect((await preflight('/api/getWireguardConfigurations', `guess-${i}`).expect(200)).text).toBe(envelope(null, null, true));
        await preflight('/api/doesNotExist').expect(200);
      }
      for (let i = 0; i < 4; i++) await request(http).get('/api/handshake').set('x-forwarded-for', client).set('wg-dashboard-apikey', `guess-${i}`).expect(401);
      await request(http).get('/api/handshake').set('x-forwarded-for', client).set('wg-dashboard-apikey', 'guess-5').expect(429);
      await preflight('/api/handshake', 'guess-6').expect(200);
    });

    it('refuses a request with more than one wg-dashboard-apikey header before looking any key up, and counts it', async () => {
      const client = newClient();
      const lookups = jest.spyOn(app.get(WgdApiKeys), 'authenticate');
      try {
        for (const headers of [
          ['wg-dashboard-apikey', key, 'wg-dashboard-apikey', 'not-a-key'],
          ['wg-dashboard-apikey', 'not-a-key', 'wg-dashboard-apikey', key],
          ['wg-dashboard-apikey', key, 'WG-Dashboard-APIKey', key],
          ['WG-DASHBOARD-APIKEY', key, 'wg-dashboard-apikey', ''],
        ]) {
          expect(await rawGet(http, '/api/getDashboardVersion', ['x-forwarded-for', client, ...headers])).toEqual({ status: 401, body: envelope(null, 'API Key does not exist', false) });
        }
        expect(lookups).not.toHaveBeenCalled();
        expect((await rawGet(http, '/api/handshake', ['x-forwarded-for', client, 'wg-dashboard-apikey', key, 'wg-dashboard-apikey', key])).status).toBe(429);
        // One header with that key is fine.
        expect(await rawGet(http, '/api/handshake', ['wg-dashboard-apikey', key])).toEqual({ status: 200, body: envelope(null, null, true) });
      } finally {
        lookups.mockRestore();
      }
    });
  });

  describe('the web page in "Access Remote Server" mode, from its own origin', () => {
    it.each(WEB_PAGE_CALLS)('%s %s: preflight allowed, then served (never the unknown-route answer)', async (method, path) => {
      const preflight = await request(http).options(path).set({ ...PREFLIGHT, 'access-control-request-method': method }).expect(200);
      expect(preflight.text).toBe(envelope(null, null, true));
      expect(preflight.headers).toMatchObject({
        'access-control-allow-origin': ORIGIN,
        'access-control-allow-headers': 'content-type, wg-dashboard-apikey',
        'access-control-allow-methods': 'DELETE, POST, GET, OPTIONS',
        vary: 'Origin',
      });
      if (RUNS_ON_THE_NODE.has(path)) return;
      const call = request(http)[method === 'GET' ? 'get' : 'post'](path).set('origin', ORIGIN).set('content-type', 'application/json').set('wg-dashboard-apikey', key);
      const res = await (method === 'POST' ? call.send('{}') : call);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect([405, 500]).not.toContain(res.status);
      expect(JSON.parse(res.text).message).not.toBe(NOT_FOUND);
    });

    it('connects as the page does: handshake, then authenticate with the key and the page’s host name', async () => {
      const call = (method: 'get' | 'post', path: string) => request(http)[method](path).set('origin', ORIGIN).set('content-type', 'application/json').set('wg-dashboard-apikey', key);
      expect((await call('get', '/api/handshake').expect(200)).text).toBe(envelope(null, null, true));
      const connected = await call('post', '/api/authenticate').send({ host: 'localhost' }).expect(200);
      // Upstream's message is its `welcome_session` setting; it sets no cookie here (the key is the session).
      expect(connected.text).toBe(envelope(null, true, true));
      expect(connected.headers).toMatchObject({ 'access-control-allow-origin': ORIGIN, vary: 'Origin, Cookie' });
      expect(connected.headers['set-cookie']).toBeUndefined();
      expect((await call('get', '/api/protocolsEnabled').expect(200)).text).toBe(envelope(['wg'], null, true));

      await call('post', '/api/updateDashboardConfigurationItem').send({ section: 'Other', key: 'welcome_session', value: false }).expect(200);
      expect((await call('post', '/api/authenticate').send({ host: 'localhost' }).expect(200)).text).toBe(envelope(null, false, true));
      expect((await call('get', '/api/signout').expect(200)).text).toBe(envelope(null, '', true));
    });

    it('answers the setup wizard’s calls without setting anything up (there is no dashboard account)', async () => {
      const call = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
      expect((await call('get', '/api/Welcome_GetTotpLink').expect(200)).text).toBe(envelope(null, null, false));
      expect((await call('post', '/api/Welcome_VerifyTotpLink').send({ totp: '123456' }).expect(200)).text).toBe(envelope(null, null, false));
      expect((await call('post', '/api/Welcome_Finish').send({ username: 'admin', newPassword: 'longenough', repeatNewPassword: 'longenough' }).expect(200)).text).toBe(
        envelope(null, 'wgfleet has no dashboard account to set up: clients sign in with an API key (wg-dashboard-apikey)', false),
      );
      await request(http).get('/api/Welcome_GetTotpLink').expect(401);
    });

    it('answers a sign-in without a key as a wrong password, and one without fields with a 400 that says what to send', async () => {
      expect((await request(http).post('/api/authenticate').send({ username: 'admin', password: 'admin', totp: '' }).expect(200)).text).toBe(
        envelope(null, 'Sorry, your username or password is incorrect.', false),
      );
      for (const body of ['{"host":"localhost"}', '{"username":"admin","password":1}']) {
        const res = await request(http).post('/api/authenticate').set('content-type', 'application/json').send(body).expect(400);
        expect(res.text).toBe(envelope(null, 'Please provide username and password', false));
      }
      // A body that is not an object never reaches the route: the body parser refuses it on every route.
      for (const body of ['null', '[]']) {
        const res = await request(http).post('/api/authenticate').set('content-type', 'application/json').send(body).expect(422);
        expect(res.body).toMatchObject({ data: null, status: false });
        expect(res.body.message).toMatch(/JSON object/);
      }
    });
  });

  describe('routes nobody has: authenticated first, then the envelope with status:false', () => {
    it.each([
      ['GET', '/api/x'],
      ['POST', '/api/x'],
      ['GET', '/api/a/b/c?x=1'],
      ['PATCH', '/api/addPeers'],
    ])('%s %s: 401 without a key or with a wrong one, 404 with a valid one', async (method, path) => {
      const client = newClient();
      const call = (wgdKey?: string) => {
        const req = request(http)[method.toLowerCase() as 'get'](path).set('x-forwarded-for', client);
        return wgdKey === undefined ? req : req.set('wg-dashboard-apikey', wgdKey);
      };
      expect((await call()).text).toBe(envelope(null, 'Unauthorized access.', false));
      expect((await call('not-a-key')).text).toBe(envelope(null, 'API Key does not exist', false));
      const res = await call(key);
      expect([res.status, res.headers['content-type'], res.headers['access-control-allow-origin'], res.text]).toEqual([404, 'application/json', '*', envelope(null, NOT_FOUND, false)]);
    });

    it.each([
      ['POST', '/api/handshake', 'HEAD, GET, OPTIONS'],
      ['GET', '/api/addWireguardConfiguration', 'POST, OPTIONS'],
      ['GET', '/api/addPeers/wg0', 'POST, OPTIONS'],
      ['DELETE', '/api/handshake', 'HEAD, GET, OPTIONS'],
      ['PUT', '/api/addPeers/wg0', 'POST, OPTIONS'],
    ])('%s %s (a route of another method): 401 without a key, else 405 with upstream’s Allow', async (method, path, allow) => {
      const none = await request(http)[method.toLowerCase() as 'get'](path).set('x-forwarded-for', newClient());
      expect([none.status, none.text]).toEqual([401, envelope(null, 'Unauthorized access.', false)]);
      const res = await request(http)[method.toLowerCase() as 'get'](path).set('wg-dashboard-apikey', key);
      expect([res.status, res.headers.allow, res.text]).toEqual([405, allow, envelope(null, 'The method is not allowed for the requested URL.', false)]);
    });

    it('answers HEAD like GET without a body: 404 for no route, 405 for a POST route', async () => {
      const unknown = await request(http).head('/api/x').set('wg-dashboard-apikey', key);
      expect([unknown.status, unknown.headers['content-type']]).toEqual([404, 'application/json']);
      const post = await request(http).head('/api/addWireguardConfiguration').set('wg-dashboard-apikey', key);
      expect([post.status, post.headers.allow]).toEqual([405, 'POST, OPTIONS']);
      await request(http).head('/api/handshake').set('wg-dashboard-apikey', key).expect(200);
    });

    it('leaves the portal’s namespaces to the portal: its unknown routes stay the problem+json 404 Nest answers', async () => {
      const outside = await request(http).get('/nowhere').expect(404);
      for (const [method, path] of [
        ['GET', '/api/wg/nowhere'],
        ['GET', '/api/admin/nowhere?x=1'],
        ['DELETE', '/api/wg/servers'],
        ['OPTIONS', '/api/wg/servers'],
        ['GET', '/api/wg'],
      ] as const) {
        const res = await request(http)[method.toLowerCase() as 'get'](path).set('wg-dashboard-apikey', key);
        expect([res.status, res.headers['content-type'], res.headers['access-control-allow-origin']]).toEqual([404, outside.headers['content-type'], undefined]);
        expect(res.body).toEqual({ ...outside.body, error: `Cannot ${method} ${path}` });
      }
    });

    it('does the same under WGD_APP_PREFIX, where /api/wg… is a WGDashboard path like any other', async () => {
      const prefixed = await startTestApp({ WGD_APP_PREFIX: '/wgd' });
      try {
        const server = prefixed.getHttpServer();
        const preflight = await request(server).options('/wgd/api/getWireguardConfigurations').set(PREFLIGHT).expect(200);
        expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'DELETE, POST, GET, OPTIONS' });
        expect((await request(server).get('/wgd/api/wg/x').expect(401)).text).toBe(envelope(null, 'Unauthorized access.', false));
        expect((await request(server).get('/wgd/api/wg/x').set('wg-dashboard-apikey', key).expect(404)).text).toBe(envelope(null, NOT_FOUND, false));
        expect((await request(server).get('/wgd/api/protocolsEnabled').set('wg-dashboard-apikey', key).expect(200)).text).toBe(envelope(['wg'], null, true));
        // Outside the prefix nothing is WGDashboard's.
        expect((await request(server).options('/api/getWireguardConfigurations').set(PREFLIGHT).expect(404)).headers['access-control-allow-origin']).toBeUndefined();
      } finally {
        await prefixed.close();
      }
    });
  });
});

/** A GET with headers exactly as given, repeated names included (supertest merges them). */
function rawGet(server: ReturnType<NestFastifyApplication['getHttpServer']>, path: string, headers: string[]): Promise<{ status: number; body: string }> {
  const listening = server.listening ? Promise.resolve() : new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return listening.then(
    () =>
      new Promise((resolve, reject) => {
        const { port } = server.address() as AddressInfo;
        // Node adds no Host to headers given as a list.
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: ['host', `127.0.0.1:${port}`, ...headers], agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.setTimeout(10_000, () => req.destroy(new Error(`timeout: GET ${path}`)));
        req.on('error', reject);
        req.end();
      }),
  );
}
