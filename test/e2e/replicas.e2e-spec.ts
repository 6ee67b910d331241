import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

jest.setTimeout(60_000);

/** Two app instances on one PostgreSQL and one Redis, as two replicas behind a load balancer. */
describe('two replicas sharing Redis', () => {
  let redis: RedisServer;
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;

  beforeAll(async () => {
    redis = await startRedis();
    a = await startTestApp({ REDIS_URL: redis.url });
    b = await startTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('hold 60 requests per minute per key together', async () => {
    const account = await makeAccount(a, 'customer');
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) {
      const replica = i % 2 ? b : a;
      statuses.push((await request(replica.getHttpServer()).get('/api/wg/api-keys').set(bearer(account.key))).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.slice(60)).toEqual(Array(10).fill(429));
  });

  it('stop a revoked key on the revoking replica at once and on the other within 5 s', async () => {
    const account = await makeAccount(a, 'customer');
    const second = await request(a.getHttpServer()).post('/api/wg/api-keys').set(bearer(account.key)).send({ name: 'doomed' }).expect(201);
    await request(b.getHttpServer()).get('/api/wg/api-keys').set(bearer(second.body.key)).expect(200); // cached on b
    const revokedAt = Date.now();
    await request(a.getHttpServer()).delete(`/api/wg/api-keys/${second.body.id}`).set(bearer(account.key)).expect(200);
    await request(a.getHttpServer()).get('/api/wg/api-keys').set(bearer(second.body.key)).expect(401);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 6_000) {
      status = (await request(b.getHttpServer()).get('/api/wg/api-keys').set(bearer(second.body.key))).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThanOrEqual(5_000);
  });
});
