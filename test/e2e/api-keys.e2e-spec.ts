import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateApiKey } from '@wgfleet/accounts';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

const KEY_IN_TEXT = /wg_[A-Za-z0-9]{46}/;

describe('API keys and authentication', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;

  beforeAll(async () => {
    app = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '1000' });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('401 for anything but one valid Bearer key', () => {
    const valid = () => makeAccount(app, 'customer');

    it.each([
      ['no Authorization header', () => ({})],
      ['a Basic scheme', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
      ['a key without wg_', () => ({ authorization: 'Bearer abc' })],
      ['a key one character short', () => ({ authorization: `Bearer ${generateApiKey().slice(0, 48)}` })],
      ['a key with a broken checksum', () => ({ authorization: `Bearer ${generateApiKey().slice(0, 48)}A` })],
      ['a well-formed key nobody has', () => bearer(generateApiKey())],
      ['Bearer with no key', () => ({ authorization: 'Bearer ' })],
    ])('refuses %s', async (_label, headers) => {
      const response = await request(http).get('/api/wg/api-keys').set(headers());
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(response.body.error).toMatch(/key/);
    });

    it('accepts the scheme in any case', async () => {
      const { key } = await valid();
      await request(http).get('/api/wg/api-keys').set({ authorization: `bEaReR ${key}` }).expect(200);
    });

    it('refuses a key in the query string', async () => {
      const { key } = await valid();
      await request(http).get(`/api/wg/api-keys?api_key=${key}`).expect(401);
    });

    it('refuses a malformed key without a database query', async () => {
      const dataSource = app.get(DataSource);
      const spy = jest.spyOn(dataSource, 'query');
      try {
        // The last checksum character changed (to another one: a plain 'A' matched it once in 62 runs).
        const key = generateApiKey();
        const wrongChecksum = `${key.slice(0, 48)}${key.endsWith('A') ? 'B' : 'A'}`;
        await request(http).get('/api/wg/api-keys').set(bearer(wrongChecksum)).expect(401);
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });

    it('refuses an expired key', async () => {
      const account = await valid();
      const created = await request(http)
        .post('/api/wg/api-keys')
        .set(bearer(account.key))
        .send({ name: 'short-lived', expires_at: new Date(Date.now() + 1_500).toISOString() })
        .expect(201);
      await request(http).get('/api/wg/api-keys').set(bearer(created.body.key)).expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const response = await request(http).get('/api/wg/api-keys').set(bearer(created.body.key)).expect(401);
      expect(response.body.error).toContain('expired');
    });
  });

  describe('self-service keys', () => {
    it('creates a key shown once, with no-store, and lists keys without secrets', async () => {
      const account = await makeAccount(app, 'customer');
      const created = await request(http).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: 'ci' }).expect(201);
      expect(created.headers['cache-control']).toBe('no-store');
      expect(created.body.key).toMatch(/^wg_[A-Za-z0-9]{46}$/);
      expect(created.body).toMatchObject({ name: 'ci', prefix: created.body.key.slice(0, 7), last4: created.body.key.slice(-4), revoked_at: null });

      const list = await request(http).get('/api/wg/api-keys').set(bearer(created.body.key)).expect(200);
      expect(list.body.api_keys.map((k: { id: number }) => k.id)).toEqual([account.keyId, created.body.id]);
      expect(list.body.next_cursor).toBeNull();
      expect(JSON.stringify(list.body)).not.toMatch(KEY_IN_TEXT);
    });

    it('stops a revoked key at once', async () => {
      const account = await makeAccount(app, 'customer');
      const second = await request(http).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: 'second' }).expect(201);
      await request(http).get('/api/wg/api-keys').set(bearer(second.body.key)).expect(200); // now cached
      await request(http).delete(`/api/wg/api-keys/${second.body.id}`).set(bearer(account.key)).expect(200, { id: second.body.id, deleted: true });
      await request(http).get('/api/wg/api-keys').set(bearer(second.body.key)).expect(401);
    });

    it("answers 403 for another account's key and 404 for a missing one", async () => {
      const mine = await makeAccount(app, 'customer');
      const theirs = await makeAccount(app, 'customer');
      const forbidden = await request(http).delete(`/api/wg/api-keys/${theirs.keyId}`).set(bearer(mine.key)).expect(403);
      expect(forbidden.body.code).toBe('forbidden');
      await request(http).get('/api/wg/api-keys').set(bearer(theirs.key)).expect(200);
      await request(http).delete('/api/wg/api-keys/987654321').set(bearer(mine.key)).expect(404);
      await request(http).delete('/api/wg/api-keys/0').set(bearer(mine.key)).expect(422);
    });

    it('holds the limit of 5 active keys under six concurrent creates with four active', async () => {
      const account = await makeAccount(app, 'customer');
      for (let i = 0; i < 3; i++) await request(http).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: `k${i}` }).expect(201);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => request(http).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: `race${i}` })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      expect(results.find((r) => r.status === 409)!.body.code).toBe('api_key_limit');
    });

    it.each([
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'a\nb' }, 'name'],
      [{ name: 'ok', expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'ok', expires_at: '2001-01-01T00:00:00Z' }, 'expires_at'],
      [{ name: 'ok', admin: true }, 'admin'],
    ])('refuses %j with a 422 naming %s', async (body, field) => {
      const account = await makeAccount(app, 'customer');
      const response = await request(http).post('/api/wg/api-keys').set(bearer(account.key)).send(body).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('pagination', () => {
    it('walks a list with limit and next_cursor', async () => {
      const account = await makeAccount(app, 'customer');
      for (let i = 0; i < 4; i++) await request(http).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: `p${i}` }).expect(201);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(http)
          .get('/api/wg/api-keys')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(bearer(account.key))
          .expect(200);
        expect(page.body.api_keys.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.api_keys.map((k: { id: number }) => k.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    });

    it.each([['limit=0'], ['limit=501'], ['limit=abc'], ['cursor=not-a-cursor']])('refuses %s with 422', async (query) => {
      const account = await makeAccount(app, 'customer');
      await request(http).get(`/api/wg/api-keys?${query}`).set(bearer(account.key)).expect(422);
    });
  });
});
