import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createLogger, loadConfig } from '@wgfleet/core';
import { runMigrations } from '@wgfleet/database';
import { createApp } from '../../apps/api/src/create-app.js';
import { createEmptyDatabase, migratedDatabaseUrl } from '../setup/test-database.js';
import { TEST_MASTER_KEY } from '../support/test-app.js';

const config = loadConfig({ LOG_LEVEL: 'silent', BODY_LIMIT_BYTES: '2048', RECONCILER_ENABLED: 'false' });

describe('health, readiness and the error envelope', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createApp(config, await migratedDatabaseUrl(), createLogger('silent'), TEST_MASTER_KEY);
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers GET /health with 200 and no dependencies', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('answers GET /ready with 200 when the database is up and migrated', async () => {
    const response = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(response.body).toEqual({ status: 'ready', checks: { database: 'up', migrations: 'applied' } });
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const response = await request(app.getHttpServer()).get('/nothing-here').expect(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toEqual({
      type: 'https://wgfleet.dev/errors/not_found',
      title: 'Not Found',
      status: 404,
      code: 'not_found',
      error: 'Cannot GET /nothing-here',
    });
  });

  it.each([
    ['malformed JSON', '{"client_name": ', 'application/json', 400, 'malformed_json'],
    ['an empty JSON body', '', 'application/json', 400, 'malformed_json'],
    ['a prototype-poisoning body', '{"__proto__": {"admin": true}}', 'application/json', 400, 'malformed_json'],
    ['a body over the limit', JSON.stringify({ pad: 'x'.repeat(4096) }), 'application/json', 413, 'payload_too_large'],
  ])('refuses %s', async (_label, body, contentType, status, code) => {
    const response = await request(app.getHttpServer()).post('/ready').set('content-type', contentType).send(body);
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({ status, code, type: `https://wgfleet.dev/errors/${code}` });
    expect(typeof response.body.error).toBe('string');
  });

  it('says which key to remove from a prototype-poisoning body', async () => {
    for (const body of ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}']) {
      const response = await request(app.getHttpServer()).post('/ready').set('content-type', 'application/json').send(body).expect(400);
      expect(response.body.error).toMatch(/"__proto__" or "constructor"/);
    }
  });

  it('takes a DELETE, GET or OPTIONS labelled JSON with an empty body as one without a body', async () => {
    await request(app.getHttpServer()).get('/health').set('content-type', 'application/json').expect(200);
    // Past the parser: the route answers (here: no such DELETE route), not "the request body is empty".
    const response = await request(app.getHttpServer()).delete('/health').set('content-type', 'application/json').expect(404);
    expect(response.body.code).toBe('not_found');
  });

  it('echoes a plain X-Request-Id and replaces one that could forge log lines', async () => {
    const kept = await request(app.getHttpServer()).get('/health').set('x-request-id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(app.getHttpServer()).get('/health').set('x-request-id', 'a b"\\n{"level":"fatal"}');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('GET /ready on a database without migrations', () => {
  it('is 503 naming the pending migrations, then 200 once they ran', async () => {
    const url = await createEmptyDatabase('wgfleet_ready_test');
    const app = await createApp(config, url, createLogger('silent'), TEST_MASTER_KEY);
    try {
      const pending = await request(app.getHttpServer()).get('/ready').expect(503);
      expect(pending.body).toMatchObject({ code: 'database_unavailable', checks: { database: 'up', migrations: 'pending' } });
      expect(pending.body.error).toContain('CreateAuditLog1763900000000');
      await runMigrations(url);
      await request(app.getHttpServer()).get('/ready').expect(200);
    } finally {
      await app.close();
    }
  });
});
