import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdempotencyStore } from '@wgfleet/idempotency';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

describe('Idempotency-Key on POST /api/wg/servers/{id}/users', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let keySeq = 0;
  const newKey = () => `key-${process.pid}-${Date.now()}-${++keySeq}`;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  async function tenant() {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, account.id);
    return { ...account, assignment };
  }

  const create = (key: string, assignment: number, body: object, idempotencyKey?: string) => {
    const req = request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key));
    if (idempotencyKey !== undefined) req.set('Idempotency-Key', idempotencyKey);
    return req.send(body);
  };

  const userCount = async (assignment: number): Promise<number> =>
    (await app.get(DataSource).query('SELECT count(*)::int AS n FROM wg_user WHERE assignment_id = $1', [assignment]))[0].n;

  it('replays the first response byte for byte, without a second user or key', async () => {
    const t = await tenant();
    const key = newKey();
    const first = await create(t.key, t.assignment, { client_name: 'idem', dns: ['9.9.9.9'] }, key).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    // Key order does not make it another request.
    const second = await create(t.key, t.assignment, { dns: ['9.9.9.9'], client_name: 'idem' }, key).expect(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers['cache-control']).toBe('no-store');
    expect(second.headers['content-type']).toBe(first.headers['content-type']);
    expect(second.text).toBe(first.text);
    expect(await userCount(t.assignment)).toBe(1);
  });

  it('stores the replay sealed: no private key in the table', async () => {
    const t = await tenant();
    const key = newKey();
    const first = await create(t.key, t.assignment, { client_name: 'sealed' }, key).expect(201);
    const [row] = await app.get(DataSource).query(
      'SELECT state, response_status, response_body_enc FROM idempotency_record WHERE account_id = $1 AND key = $2',
      [t.id, key],
    );
    expect(row.state).toBe('done');
    expect(row.response_status).toBe(201);
    expect(row.response_body_enc.toString('latin1')).not.toContain(first.body.keys.client_private_key);
    expect(row.response_body_enc.toString('latin1')).not.toContain('PrivateKey');
  });

  it('is 422 idempotency_key_reused for the same key with another body or another server', async () => {
    const t = await tenant();
    const other = await assign(app, (await makeServer(app)).serverId, t.id);
    const key = newKey();
    await create(t.key, t.assignment, { client_name: 'first' }, key).expect(201);
    const reused = await create(t.key, t.assignment, { client_name: 'second' }, key).expect(422);
    expect(reused.body).toMatchObject({ status: 422, code: 'idempotency_key_reused' });
    expect((await create(t.key, other, { client_name: 'first' }, key).expect(422)).body.code).toBe('idempotency_key_reused');
    expect(await userCount(t.assignment)).toBe(1);
    expect(await userCount(other)).toBe(0);
  });

  it('is 409 idempotency_key_in_flight while the first request runs', async () => {
    const t = await tenant();
    const key = newKey();
    const body = { client_name: 'slow' };
    // Hold the server row lock that every create takes first, so the first request stays in flight.
    const runner = app.get(DataSource).createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const [assignmentRow] = await runner.query('SELECT server_id FROM assignment WHERE id = $1', [t.assignment]);
      await runner.query('SELECT 1 FROM server WHERE id = $1 FOR UPDATE', [assignmentRow.server_id]);
      const first = create(t.key, t.assignment, body, key).then((r) => r);
      let state: string | undefined;
      for (let i = 0; i < 100 && state !== 'in_flight'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        state = (await app.get(DataSource).query('SELECT state FROM idempotency_record WHERE account_id = $1 AND key = $2', [t.id, key]))[0]?.state;
      }
      expect(state).toBe('in_flight');
      const during = await create(t.key, t.assignment, body, key).expect(409);
      expect(during.body).toMatchObject({ status: 409, code: 'idempotency_key_in_flight' });
      await runner.commitTransaction();
      const done = await first;
      expect(done.status).toBe(201);
      const after = await create(t.key, t.assignment, body, key).expect(201);
      expect(after.text).toBe(done.text);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await userCount(t.assignment)).toBe(1);
  });

  it('marks the claim committed inside the create’s own transaction, before the response is stored', async () => {
    const t = await tenant();
    const key = newKey();
    const dataSource = app.get(DataSource);
    const serverLock = dataSource.createQueryRunner();
    const rowLock = dataSource.createQueryRunner();
    await serverLock.connect();
    await rowLock.connect();
    try {
      // Hold the create at the server row lock, then hold the claim's row: the mark must wait for it.
      await serverLock.startTransaction();
      const [assignmentRow] = await serverLock.query('SELECT server_id FROM assignment WHERE id = $1', [t.assignment]);
      await serverLock.query('SELECT 1 FROM server WHERE id = $1 FOR UPDATE', [assignmentRow.server_id]);
      const first = create(t.key, t.assignment, { client_name: 'marked' }, key).then((r) => r);
      let state: string | undefined;
      for (let i = 0; i < 100 && state !== 'in_flight'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        state = (await dataSource.query('SELECT state FROM idempotency_record WHERE account_id = $1 AND key = $2', [t.id, key]))[0]?.state;
      }
      expect(state).toBe('in_flight');
      await rowLock.startTransaction();
      await rowLock.query('SELECT 1 FROM idempotency_record WHERE account_id = $1 AND key = $2 FOR UPDATE', [t.id, key]);
      const [{ pid: rowLockPid }] = await rowLock.query('SELECT pg_backend_pid() AS pid');
      await serverLock.commitTransaction();
      // The create's transaction, with the user written, now waits on our row lock in its mark.
      let marking: Array<{ query: string }> = [];
      for (let i = 0; i < 250 && marking.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        marking = await dataSource.query('SELECT query FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [rowLockPid]);
      }
      expect(marking).toHaveLength(1);
      expect(marking[0]!.query.replace(/\s+/g, ' ').trim()).toContain("UPDATE idempotency_record SET state = 'committed' WHERE");
      expect(await userCount(t.assignment)).toBe(0);
      await rowLock.commitTransaction();
      expect((await first).status).toBe(201);
      expect((await dataSource.query('SELECT state FROM idempotency_record WHERE account_id = $1 AND key = $2', [t.id, key]))[0].state).toBe('done');
      expect(await userCount(t.assignment)).toBe(1);
    } finally {
      for (const runner of [serverLock, rowLock]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
  });

  it('creates one user for parallel identical requests: one 201, the rest replays or 409', async () => {
    const t = await tenant();
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 8 }, () => create(t.key, t.assignment, { client_name: 'race' }, key)));
    const fresh = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined);
    expect(fresh).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 201) expect(response.text).toBe(fresh[0].text);
      else expect(response.body).toMatchObject({ status: 409, code: 'idempotency_key_in_flight' });
    }
    expect(await userCount(t.assignment)).toBe(1);
  });

  it('frees the key after an error response, so the client may retry with it', async () => {
    const t = await tenant();
    const key = newKey();
    await create(t.key, t.assignment, { client_name: 'bad name!' }, key).expect(422);
    await create(t.key, t.assignment, { client_name: 'server' }, key).expect(422);
    await create(t.key, t.assignment, { client_name: 'taken' }).expect(201);
    expect((await create(t.key, t.assignment, { client_name: 'taken' }, key).expect(409)).body.code).toBe('duplicate_name');
    const ok = await create(t.key, t.assignment, { client_name: 'good' }, key).expect(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    const replay = await create(t.key, t.assignment, { client_name: 'good' }, key).expect(201);
    expect(replay.text).toBe(ok.text);
  });

  it('scopes keys per account: A’s key value used by B is a new request', async () => {
    const a = await tenant();
    const b = await tenant();
    const key = newKey();
    const first = await create(a.key, a.assignment, { client_name: 'shared' }, key).expect(201);
    const second = await create(b.key, b.assignment, { client_name: 'shared' }, key).expect(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.text).not.toContain(first.body.keys.client_private_key);
    // Replaying A's exact request (A's key, A's assignment, A's body) from another account is not a replay.
    const c = await makeAccount(app, 'customer');
    const foreign = await create(c.key, a.assignment, { client_name: 'shared' }, key);
    expect(foreign.status).toBe(403);
    expect(foreign.headers['idempotent-replayed']).toBeUndefined();
    expect(foreign.text).not.toContain(first.body.keys.client_private_key);
  });

  it('treats a key older than 24 h as new, and purges old records', async () => {
    const t = await tenant();
    const key = newKey();
    const first = await create(t.key, t.assignment, { client_name: 'old' }, key).expect(201);
    const dataSource = app.get(DataSource);
    await dataSource.query("UPDATE idempotency_record SET created_at = now() - interval '25 hours' WHERE account_id = $1 AND key = $2", [t.id, key]);
    // Same key, same body: a new request (which then fails on the name taken by the first).
    expect((await create(t.key, t.assignment, { client_name: 'old' }, key).expect(409)).body.code).toBe('duplicate_name');
    await dataSource.query("UPDATE idempotency_record SET created_at = now() - interval '25 hours' WHERE account_id = $1", [t.id]);
    const renewed = await create(t.key, t.assignment, { client_name: 'old2' }, key).expect(201);
    expect(renewed.body.id).not.toBe(first.body.id);
    expect((await create(t.key, t.assignment, { client_name: 'old2' }, key).expect(201)).text).toBe(renewed.text);

    const stale = newKey();
    await create(t.key, t.assignment, { client_name: 'stale' }, stale).expect(201);
    await dataSource.query("UPDATE idempotency_record SET created_at = now() - interval '25 hours' WHERE account_id = $1 AND key = $2", [t.id, stale]);
    await app.get(IdempotencyStore).purgeExpired(Date.now() + 10 * 60_000);
    const keys = await dataSource.query('SELECT key FROM idempotency_record WHERE account_id = $1 ORDER BY key', [t.id]);
    expect(keys.map((row: { key: string }) => row.key)).toEqual([key]);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a space', 'has space'],
    ['non-ASCII', 'clé'],
  ])('refuses a key with %s: 422 naming the header, nothing created', async (_label, key) => {
    const t = await tenant();
    const response = await create(t.key, t.assignment, { client_name: 'x' }, key).expect(422);
    expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'Idempotency-Key' }] });
    expect(await userCount(t.assignment)).toBe(0);
  });

  it('accepts a 255-character key and behaves normally without one', async () => {
    const t = await tenant();
    await create(t.key, t.assignment, { client_name: 'long' }, 'k'.repeat(255)).expect(201);
    await create(t.key, t.assignment, { client_name: 'nokey1' }).expect(201);
    const again = await create(t.key, t.assignment, { client_name: 'nokey1' }).expect(409);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });
});
