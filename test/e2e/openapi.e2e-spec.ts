import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { startTestApp } from '../support/test-app.js';

/** Every route of spec/portal-api.md and spec/portal-contract.md, and the plan routes since, as OpenAPI paths. */
const CONTRACT_ROUTES = [
  ['get', '/api/wg/servers'],
  ['get', '/api/wg/servers/{id}/users'],
  ['post', '/api/wg/servers/{id}/users'],
  ['get', '/api/wg/servers/{id}/status'],
  ['get', '/api/wg/users/{id}'],
  ['delete', '/api/wg/users/{id}'],
  ['patch', '/api/wg/users/{id}'],
  ['get', '/api/wg/users/{id}/bandwidth'],
  ['put', '/api/wg/users/{id}/bandwidth'],
  ['delete', '/api/wg/users/{id}/bandwidth'],
  ['get', '/api/wg/users/{id}/config.conf'],
  ['get', '/api/wg/users/{id}/config.png'],
  ['get', '/api/wg/users/{id}/config.svg'],
  ['get', '/api/wg/users/{id}/port-forwards'],
  ['post', '/api/wg/users/{id}/port-forwards'],
  ['delete', '/api/wg/port-forwards/{id}'],
  ['get', '/api/wg/api-keys'],
  ['post', '/api/wg/api-keys'],
  ['delete', '/api/wg/api-keys/{id}'],
  ['post', '/api/wg/customers'],
  ['get', '/api/wg/customers'],
  ['delete', '/api/wg/customers/{id}'],
  ['post', '/api/wg/customers/{id}/api-keys'],
  ['post', '/api/wg/servers/{id}/delegations'],
  ['get', '/api/wg/servers/{id}/dns'],
  ['put', '/api/wg/servers/{id}/dns'],
  ['delete', '/api/wg/servers/{id}/dns'],
  ['post', '/api/admin/accounts'],
  ['get', '/api/admin/accounts'],
  ['get', '/api/admin/accounts/{id}'],
  ['post', '/api/admin/accounts/{id}/suspend'],
  ['post', '/api/admin/accounts/{id}/unsuspend'],
  ['post', '/api/admin/accounts/{id}/api-keys'],
  ['post', '/api/admin/nodes'],
  ['get', '/api/admin/nodes'],
  ['get', '/api/admin/nodes/{id}'],
  ['delete', '/api/admin/nodes/{id}'],
  ['post', '/api/admin/nodes/{id}/servers'],
  ['get', '/api/admin/servers'],
  ['get', '/api/admin/servers/{id}'],
  ['patch', '/api/admin/servers/{id}'],
  ['delete', '/api/admin/servers/{id}'],
  ['post', '/api/admin/servers/{id}/reconcile'],
  ['get', '/api/admin/servers/{id}/users'],
  ['get', '/api/admin/servers/{id}/dns'],
  ['put', '/api/admin/servers/{id}/dns'],
  ['delete', '/api/admin/servers/{id}/dns'],
  ['post', '/api/admin/assignments'],
  ['get', '/api/admin/assignments'],
  ['delete', '/api/admin/assignments/{id}'],
  ['get', '/api/admin/audit'],
  ['get', '/health'],
  ['get', '/ready'],
  ['get', '/metrics'],
] as const;

describe('OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: { openapi: string; paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    app = await startTestApp();
    document = (await request(app.getHttpServer()).get('/docs/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await app.close();
  });

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });

  it.each(CONTRACT_ROUTES)('documents %s %s', (method, path) => {
    expect(document.paths[path]?.[method]).toBeDefined();
  });

  it('documents /metrics as Prometheus text behind its own token, not an API key', () => {
    const operation = document.paths['/metrics']!.get as { security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses['200']!.content ?? {})).toEqual(['text/plain']);
  });

  it('serves the interactive page without a key', async () => {
    const page = await request(app.getHttpServer()).get('/docs').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
  });
});
