import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/** Behind a balancer (TRUST_PROXY), X-Forwarded-For names the client; otherwise nobody may claim to. */
describe('TRUST_PROXY', () => {
  const apps: NestFastifyApplication[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function auditedAddress(env: Record<string, string>, forwardedFor: string): Promise<string> {
    const app = await startTestApp(env);
    apps.push(app);
    const admin = await makeAccount(app, 'admin');
    await request(app.getHttpServer())
      .post('/api/admin/accounts')
      .set(bearer(admin.key))
      .set('x-forwarded-for', forwardedFor)
      .send({ name: `proxied-${process.pid}-${apps.length}`, kind: 'customer' })
      .expect(201);
    const audit = await request(app.getHttpServer()).get(`/api/admin/audit?account_id=${admin.id}&limit=1`).set(bearer(admin.key)).expect(200);
    return audit.body.entries[0].source_ip;
  }

  it('believes the balancer it names: the audit log records the client', async () => {
    expect(await auditedAddress({ TRUST_PROXY: '127.0.0.1' }, '198.51.100.77')).toBe('198.51.100.77');
  });

  it('believes no one by default: a forged header changes nothing', async () => {
    expect(await auditedAddress({}, '198.51.100.77')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  it('believes no one outside the list', async () => {
    expect(await auditedAddress({ TRUST_PROXY: '10.0.0.0/8' }, '198.51.100.77')).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
