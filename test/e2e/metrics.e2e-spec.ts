import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { parseExposition, sampleValue, type Sample } from '../support/metrics-text.js';
import { makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

const DURATION = 'wgfleet_http_request_duration_seconds';
const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

async function scrape(app: NestFastifyApplication, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await request(app.getHttpServer()).get('/metrics').set(headers).expect(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(response.text);
}

describe('GET /metrics', () => {
  describe('open (METRICS_TOKEN unset)', () => {
    let app: NestFastifyApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5', AUTH_FAILURES_PER_MINUTE: '2' });
    });
    afterAll(async () => {
      await app.close();
    });

    it('counts requests by method, route template and status, the fast path included', async () => {
      const customer = await makeAccount(app, 'customer');
      const admin = await makeAccount(app, 'admin');
      // The second list is answered from the fast path's cache, before Nest.
      await http().get('/api/wg/servers').set(bearer(customer.key)).expect(200);
      await http().get('/api/wg/servers').set(bearer(customer.key)).expect(200);
      await http().get('/api/wg/users/987654321').set(bearer(customer.key)).expect(404);
      await http().get('/no/such/route/12345').expect(404);
      await http().post('/api/admin/accounts').set(bearer(admin.key)).send({ kind: 'nonsense' }).expect(422);

      const samples = await scrape(app);
      expect(sampleValue(samples, `${DURATION}_count`, { method: 'GET', route: '/api/wg/servers', status: 200 })).toBe(2);
      expect(sampleValue(samples, `${DURATION}_count`, { method: 'GET', route: '/api/wg/users/:id', status: 404 })).toBe(1);
      expect(sampleValue(samples, `${DURATION}_count`, { method: 'GET', route: 'unmatched', status: 404 })).toBe(1);
      expect(sampleValue(samples, `${DURATION}_count`, { method: 'POST', route: '/api/admin/accounts', status: 422 })).toBe(1);
      // Buckets are cumulative, +Inf equals the count, and the sum is a duration.
      expect(sampleValue(samples, `${DURATION}_bucket`, { method: 'GET', route: '/api/wg/servers', status: 200, le: '+Inf' })).toBe(2);
      expect(sampleValue(samples, `${DURATION}_sum`, { method: 'GET', route: '/api/wg/servers', status: 200 })).toBeGreaterThan(0);
      // Never a raw path: ids would make a series per user.
      const routes = new Set(samples.filter((sample) => sample.name.startsWith(DURATION)).map((sample) => sample.labels.route));
      expect([...routes].filter((route) => /\d/.test(route ?? ''))).toEqual([]);
    });

    it('counts 429s by the limit that refused them', async () => {
      const before = await scrape(app);
      const keyRejections = sampleValue(before, 'wgfleet_rate_limit_rejections_total', { kind: 'key' });
      const ipRejections = sampleValue(before, 'wgfleet_rate_limit_rejections_total', { kind: 'failed_auth_ip' });
      expect(keyRejections).toBe(0);
      expect(ipRejections).toBe(0);

      const customer = await makeAccount(app, 'customer');
      for (let i = 0; i < 5; i += 1) await http().get('/api/wg/api-keys').set(bearer(customer.key)).expect(200);
      await http().get('/api/wg/api-keys').set(bearer(customer.key)).expect(429);
      // AUTH_FAILURES_PER_MINUTE=2: the third failure from this address is refused.
      await http().get('/api/wg/api-keys').set(bearer('wg_not-a-key')).expect(401);
      await http().get('/api/wg/api-keys').set(bearer('wg_not-a-key')).expect(401);
      await http().get('/api/wg/api-keys').set(bearer('wg_not-a-key')).expect(429);

      const after = await scrape(app);
      expect(sampleValue(after, 'wgfleet_rate_limit_rejections_total', { kind: 'key' })).toBe(1);
      expect(sampleValue(after, 'wgfleet_rate_limit_rejections_total', { kind: 'failed_auth_ip' })).toBe(1);
      expect(sampleValue(after, `${DURATION}_count`, { method: 'GET', route: '/api/wg/api-keys', status: 429 })).toBe(2);
      expect(sampleValue(after, `${DURATION}_count`, { method: 'GET', route: '/api/wg/api-keys', status: 401 })).toBe(2);
    });

    it('is outside the API-key guard and the rate limits: no key needed, never a 429', async () => {
      for (let i = 0; i < 8; i += 1) await scrape(app);
      const samples = await scrape(app);
      expect(sampleValue(samples, `${DURATION}_count`, { method: 'GET', route: '/metrics', status: 200 })).toBeGreaterThanOrEqual(9);
    });

    it('shows the reconciler series from zero, the fleet gauges per server, and Node process metrics', async () => {
      const server = await makeServer(app);
      const samples = await scrape(app);
      expect(sampleValue(samples, 'wgfleet_reconciler_pushes_total', { outcome: 'applied' })).toBe(0);
      expect(sampleValue(samples, 'wgfleet_reconciler_push_failures_total', { reason: 'node_unreachable' })).toBe(0);
      expect(sampleValue(samples, 'wgfleet_reconciler_push_duration_seconds_count', { outcome: 'applied' })).toBe(0);
      expect(sampleValue(samples, 'wgfleet_server_generations_behind', { server_id: server.serverId })).toBeGreaterThanOrEqual(0);
      expect(sampleValue(samples, 'wgfleet_peers_online', { server_id: server.serverId })).toBe(0);
      // Never contacted: no reachability claimed either way.
      expect(samples.some((sample) => sample.name === 'wgfleet_node_reachable' && sample.labels.node_id === String(server.nodeId))).toBe(false);
      expect(sampleValue(samples, 'wgfleet_process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(samples.some((sample) => sample.name === 'wgfleet_nodejs_heap_size_used_bytes')).toBe(true);
    });
  });

  describe('with METRICS_TOKEN', () => {
    let app: NestFastifyApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await startTestApp({ METRICS_TOKEN });
    });
    afterAll(async () => {
      await app.close();
    });

    it('answers the token with the metrics', async () => {
      const samples = await scrape(app, { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(samples.some((sample) => sample.name.startsWith('wgfleet_'))).toBe(true);
    });

    it.each([
      ['no authorization', {}],
      ['a wrong token', { authorization: `Bearer ${METRICS_TOKEN}x` }],
      ['a token prefix', { authorization: `Bearer ${METRICS_TOKEN.slice(0, 8)}` }],
      ['the token without the Bearer scheme', { authorization: METRICS_TOKEN }],
    ])('refuses %s with a problem+json 401', async (_label, headers) => {
      const response = await http().get('/metrics').set(headers).expect(401);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(response.text).not.toContain('wgfleet_');
    });

    it('refuses an API key: the portal keys do not open /metrics', async () => {
      const admin = await makeAccount(app, 'admin');
      await http().get('/metrics').set(bearer(admin.key)).expect(401);
    });
  });
});
