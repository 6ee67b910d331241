import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { Principal } from '@wgfleet/core';
import { claimLockKeys, CommitMarker, IdempotencyStore, requestFingerprint, type ClaimedRequest } from '@wgfleet/idempotency';
import { PortForwardsService } from '@wgfleet/port-forwards';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * An Idempotency-Key whose request ran on another replica that died. Replica B is a second app on
 * the same database; it claims the key as its interceptor does, and "dies" when the test ends its
 * claim-lock session with pg_terminate_backend (what Postgres sees of a killed process). Replica A
 * then gets the same request over HTTP.
 */
describe('Idempotency-Key across replicas: a claim ends with its replica', () => {
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let db: DataSource;
  let keySeq = 0;
  const newKey = () => `replica-key-${process.pid}-${Date.now()}-${++keySeq}`;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' }), startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' })]);
    db = a.get(DataSource);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  async function tenant() {
    const account = await makeAccount(a, 'customer');
    const server = await makeServer(a, { ipv4Subnet: `10.93.${++keySeq % 200}.0/24` });
    const assignment = await assign(a, server.serverId, account.id);
    const principal: Principal = { accountId: account.id, kind: 'customer', parentId: null, apiKeyId: account.keyId, sourceIp: '127.0.0.1' };
    return { ...account, assignment, principal, path: `/api/wg/servers/${assignment}/users` };
  }

  const create = (apiKey: string, path: string, body: object, idempotencyKey: string) =>
    request(a.getHttpServer()).post(path).set(bearer(apiKey)).set('Idempotency-Key', idempotencyKey).send(body);
  const userCount = async (assignment: number): Promise<number> =>
    (await db.query('SELECT count(*)::int AS n FROM wg_user WHERE assignment_id = $1', [assignment]))[0].n;
  const forwardCount = async (userId: number): Promise<number> =>
    (await db.query('SELECT count(*)::int AS n FROM port_forward WHERE user_id = $1', [userId]))[0].n;
  const stateOf = async (accountId: number, key: string): Promise<string | undefined> =>
    (await db.query('SELECT state FROM idempotency_record WHERE account_id = $1 AND key = $2', [accountId, key]))[0]?.state;

  /** Replica B takes the key for that request, as its interceptor does. */
  async function claimOnB(accountId: number, key: string, path: string, body: object): Promise<ClaimedRequest> {
    const claim = await b.get(IdempotencyStore).claim(accountId, key, requestFingerprint('POST', path, body));
    if (claim.kind !== 'claimed') throw new Error(`expected to claim the key, got ${claim.kind}`);
    return claim.request;
  }

  /** Ends the session that holds the claim's lock, as the death of its process would. */
  async function killClaimHolder(accountId: number, key: string): Promise<void> {
    const [classid, objid] = claimLockKeys(accountId, key);
    const holders: Array<{ pid: number }> = await db.query(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid AND objid = ($2::int::bigint & 4294967295)::oid AND objsubid = 2 AND granted`,
      [classid, objid],
    );
    expect(holders).toHaveLength(1);
    await db.query('SELECT pg_terminate_backend($1)', [holders[0]!.pid]);
    for (let i = 0; i < 100; i++) {
      const [still] = await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [holders[0]!.pid]);
      if (!still) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the claim holder did not end');
  }

  it('answers 409 in flight while the claiming replica lives, and runs the request once it is gone', async () => {
    const t = await tenant();
    const key = newKey();
    const body = { client_name: 'orphaned' };
    await claimOnB(t.id, key, t.path, body);

    // B is alive (its session holds the claim): the same request on A is still in flight.
    const during = await create(t.key, t.path, body, key).expect(409);
    expect(during.body).toMatchObject({ status: 409, code: 'idempotency_key_in_flight' });
    expect(await stateOf(t.id, key)).toBe('in_flight');

    await killClaimHolder(t.id, key);
    const retried = await create(t.key, t.path, body, key).expect(201);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(await userCount(t.assignment)).toBe(1);
    const replayed = await create(t.key, t.path, body, key).expect(201);
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    expect(replayed.text).toBe(retried.text);
    // The abandoned claim stays bound to its request: another body is still another request.
    expect((await create(t.key, t.path, { client_name: 'other' }, key).expect(422)).body.code).toBe('idempotency_key_reused');
  });

  it('never runs a request twice whose write committed before its replica died: 409 conflict, one port forward', async () => {
    const t = await tenant();
    const user = (await request(a.getHttpServer()).post(t.path).set(bearer(t.key)).send({ client_name: 'forwarded' }).expect(201)).body;
    const path = `/api/wg/users/${user.id}/port-forwards`;
    // No external_port: the server picks a free one, so running this twice would make two forwards.
    const body = { internal_port: 8080, protocol: 'tcp' };
    const key = newKey();
    const claimed = await claimOnB(t.id, key, path, body);
    // B's handler runs as its interceptor runs it; the create commits, then B dies before storing the response.
    await b.get(CommitMarker).within(claimed, () =>
      b.get(PortForwardsService).create(t.principal, user.id, { externalPort: undefined, internalPort: 8080, protocol: 'tcp', comment: '' }),
    );
    expect(await stateOf(t.id, key)).toBe('committed');
    expect(await forwardCount(user.id)).toBe(1);
    // Still alive: in flight.
    expect((await create(t.key, path, body, key).expect(409)).body.code).toBe('idempotency_key_in_flight');

    await killClaimHolder(t.id, key);
    const after = await create(t.key, path, body, key).expect(409);
    expect(after.body).toMatchObject({ status: 409, code: 'conflict' });
    expect(after.body.error).toContain('response was lost');
    expect(await forwardCount(user.id)).toBe(1);
    expect((await create(t.key, path, { internal_port: 8081, protocol: 'tcp' }, key).expect(422)).body.code).toBe('idempotency_key_reused');
  });

  it('keeps a request whose claim was taken over from writing: its replica lost the lock session but still ran', async () => {
    const t = await tenant();
    const user = (await request(a.getHttpServer()).post(t.path).set(bearer(t.key)).send({ client_name: 'fenced' }).expect(201)).body;
    const path = `/api/wg/users/${user.id}/port-forwards`;
    const body = { internal_port: 9090, protocol: 'tcp' };
    const key = newKey();
    const claimed = await claimOnB(t.id, key, path, body);
    // B's lock session drops, B itself runs on: A takes the key over and completes the request.
    await killClaimHolder(t.id, key);
    const onA = await create(t.key, path, body, key).expect(201);
    expect(await forwardCount(user.id)).toBe(1);

    // B's handler gets to its write only now: it must not commit a second forward.
    const late = b.get(CommitMarker).within(claimed, () =>
      b.get(PortForwardsService).create(t.principal, user.id, { externalPort: undefined, internalPort: 9090, protocol: 'tcp', comment: '' }),
    );
    await expect(late).rejects.toMatchObject({ code: 'idempotency_key_in_flight' });
    await b.get(IdempotencyStore).release(claimed);
    expect(await forwardCount(user.id)).toBe(1);
    // A's claim is untouched by B's release: the replay still answers.
    const replay = await create(t.key, path, body, key).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(onA.text);
  });

  it('marks nothing for a transaction that wrote nothing, and a failed request frees its key', async () => {
    const t = await tenant();
    const key = newKey();
    const body = { client_name: 'read-only' };
    const claimed = await claimOnB(t.id, key, t.path, body);
    await b.get(CommitMarker).within(claimed, () => b.get(DataSource).transaction((manager) => manager.query('SELECT 1')));
    expect(await stateOf(t.id, key)).toBe('in_flight');
    await b.get(IdempotencyStore).release(claimed);
    expect(await stateOf(t.id, key)).toBeUndefined();
    expect((await create(t.key, t.path, body, key).expect(201)).headers['idempotent-replayed']).toBeUndefined();
  });
});
