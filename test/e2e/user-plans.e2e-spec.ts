import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

const MISSING = 987_654_321;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNLIMITED = { download_mbps: null, upload_mbps: null };
const ALLOWED = { state: 'allowed', reason: null };

/**
 * The customer API of user plans: the bandwidth routes, PATCH /users/{id}, the plan fields of a
 * create, and the plan on every user object — with the same auth, tenancy, errors and limits as
 * the other user routes.
 */
describe('user plans: /api/wg/users/{id}/bandwidth, PATCH /api/wg/users/{id}, plan fields on every user object', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app.close();
  });

  /** A customer (of `parentId`, a reseller, when given) with one assignment on a fresh server. */
  async function tenant(options: { parentId?: number } = {}) {
    const account = await makeAccount(app, 'customer', { parentId: options.parentId });
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, account.id);
    return { ...account, server, assignment };
  }
  const create = (key: string, assignment: number, body: object) => request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key)).send(body);
  async function userOf(t: { key: string; assignment: number }, name = 'plan-user'): Promise<number> {
    return (await create(t.key, t.assignment, { client_name: name }).expect(201)).body.id;
  }
  const bandwidth = (key: string, user: number) => ({
    get: () => request(http).get(`/api/wg/users/${user}/bandwidth`).set(bearer(key)),
    put: (body: unknown) => request(http).put(`/api/wg/users/${user}/bandwidth`).set(bearer(key)).send(body as object),
    delete: () => request(http).delete(`/api/wg/users/${user}/bandwidth`).set(bearer(key)),
  });
  const patch = (key: string, user: number, body: unknown) => request(http).patch(`/api/wg/users/${user}`).set(bearer(key)).send(body as object);
  const getUser = (key: string, user: number) => request(http).get(`/api/wg/users/${user}`).set(bearer(key)).expect(200);

  const row = async (user: number) => (await db.query('SELECT * FROM wg_user WHERE id = $1', [user]))[0];
  const generation = async (serverId: number) => Number((await db.query('SELECT desired_generation FROM server WHERE id = $1', [serverId]))[0].desired_generation);
  const markActive = (user: number) => db.query(`UPDATE wg_user SET state = 'active' WHERE id = $1`, [user]);
  const auditOf = async (user: number) =>
    db.query(`SELECT action, details FROM audit_log WHERE target_type = 'wg_user' AND target_id = $1 ORDER BY id`, [user]) as Promise<Array<{ action: string; details: Record<string, unknown> }>>;
  /** What the poller would have recorded for the user: cumulative traffic. */
  const recordTraffic = (user: number, serverId: number, rx: number, tx: number) =>
    db.query(
      `INSERT INTO peer_status (user_id, server_id, latest_handshake_at, endpoint, rx_total, tx_total, rx_last_raw, tx_last_raw)
       VALUES ($1, $2, now(), '198.51.100.9:40000', $3, $4, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET rx_total = EXCLUDED.rx_total, tx_total = EXCLUDED.tx_total`,
      [user, serverId, rx, tx],
    );
  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

  describe('GET|PUT|DELETE /api/wg/users/{id}/bandwidth', () => {
    it('starts unlimited, sets both, one, or lifts one with null, and DELETE lifts both', async () => {
      const t = await tenant();
      const user = await userOf(t);
      const routes = bandwidth(t.key, user);
      expect((await routes.get().expect(200)).body).toEqual({ user_id: user, ...UNLIMITED, provisioning: { state: 'pending', error: null } });

      expect((await routes.put({ download_mbps: 8, upload_mbps: 4 }).expect(200)).body).toEqual({
        user_id: user,
        download_mbps: 8,
        upload_mbps: 4,
        provisioning: { state: 'pending', error: null },
      });
      expect((await routes.put({ upload_mbps: 2.125 }).expect(200)).body).toMatchObject({ download_mbps: 8, upload_mbps: 2.125 });
      expect((await routes.put({ download_mbps: null }).expect(200)).body).toMatchObject({ download_mbps: null, upload_mbps: 2.125 });
      expect((await routes.put({ download_mbps: 0.1, upload_mbps: 10000 }).expect(200)).body).toMatchObject({ download_mbps: 0.1, upload_mbps: 10000 });
      expect((await routes.get().expect(200)).body).toMatchObject({ download_mbps: 0.1, upload_mbps: 10000 });
      expect((await getUser(t.key, user)).body.bandwidth).toEqual({ download_mbps: 0.1, upload_mbps: 10000 });
      expect(await row(user)).toMatchObject({ download_mbps: '0.100', upload_mbps: '10000.000' });

      expect((await routes.delete().expect(200)).body).toEqual({ user_id: user, ...UNLIMITED, provisioning: { state: 'pending', error: null } });
      expect((await getUser(t.key, user)).body.bandwidth).toEqual(UNLIMITED);
    });

    it('bumps the server’s generation, puts the user back to pending for the push, and writes an audit entry', async () => {
      const t = await tenant();
      const user = await userOf(t);
      await markActive(user);
      const before = await generation(t.server.serverId);
      const set = await bandwidth(t.key, user).put({ download_mbps: 8 }).expect(200);
      expect(set.body.provisioning).toEqual({ state: 'pending', error: null });
      expect(await generation(t.server.serverId)).toBeGreaterThan(before);
      await markActive(user);
      const afterSet = await generation(t.server.serverId);
      await bandwidth(t.key, user).delete().expect(200);
      expect(await generation(t.server.serverId)).toBeGreaterThan(afterSet);
      expect((await row(user)).state).toBe('pending');
      const entries = (await auditOf(user)).filter((entry) => entry.action === 'user.bandwidth');
      expect(entries.map((entry) => entry.details)).toEqual([
        { client_name: 'plan-user', assignment_id: t.assignment, download_mbps: 8 },
        { client_name: 'plan-user', assignment_id: t.assignment, download_mbps: null, upload_mbps: null },
      ]);
    });

    it.each([
      ['{}', {}, ['download_mbps', 'upload_mbps']],
      ['0', { download_mbps: 0 }, ['download_mbps']],
      ['a negative rate', { upload_mbps: -4 }, ['upload_mbps']],
      ['a string', { download_mbps: '8' }, ['download_mbps']],
      ['a boolean', { upload_mbps: true }, ['upload_mbps']],
      ['an array', { upload_mbps: [4] }, ['upload_mbps']],
      ['an object', { upload_mbps: { mbps: 4 } }, ['upload_mbps']],
      ['below 0.1', { download_mbps: 0.09 }, ['download_mbps']],
      ['above 10000', { download_mbps: 10000.5 }, ['download_mbps']],
      ['four decimals', { upload_mbps: 1.2345 }, ['upload_mbps']],
      ['one bad of two', { download_mbps: 5, upload_mbps: 0 }, ['upload_mbps']],
      ['an unknown field', { download_mbps: 5, burst_kb: 64 }, ['burst_kb']],
    ])('422 on %s, naming the field, and nothing written', async (_label, body, fields) => {
      const t = await tenant();
      const user = await userOf(t);
      await bandwidth(t.key, user).put({ download_mbps: 3, upload_mbps: 2 }).expect(200);
      await markActive(user);
      const before = { row: await row(user), generation: await generation(t.server.serverId), audit: (await auditOf(user)).length };
      const response = await bandwidth(t.key, user).put(body).expect(422);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body.code).toBe('validation_failed');
      expect(fieldsOf(response.body).sort()).toEqual([...fields].sort());
      for (const field of fields) expect(response.body.error).toContain(field);
      expect({ row: await row(user), generation: await generation(t.server.serverId), audit: (await auditOf(user)).length }).toEqual(before);
    });

    it('400 on a body that is not JSON, 415 on another content type', async () => {
      const t = await tenant();
      const user = await userOf(t);
      const malformed = await request(http).put(`/api/wg/users/${user}/bandwidth`).set(bearer(t.key)).set('content-type', 'application/json').send('{"download_mbps": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('malformed_json');
      await request(http).put(`/api/wg/users/${user}/bandwidth`).set(bearer(t.key)).set('content-type', 'text/plain').send('download_mbps=8').expect(415);
    });
  });

  describe('PATCH /api/wg/users/{id}', () => {
    it('disables and enables a user: access is decided in the answer, and the change is audited', async () => {
      const t = await tenant();
      const user = await userOf(t);
      await markActive(user);
      const before = await generation(t.server.serverId);
      const disabled = await patch(t.key, user, { enabled: false }).expect(200);
      expect(disabled.body).toMatchObject({ id: user, enabled: false, access: { state: 'blocked', reason: 'disabled' }, provisioning: { state: 'pending', error: null } });
      expect(disabled.body).not.toHaveProperty('config');
      expect(disabled.body).not.toHaveProperty('keys');
      expect(await generation(t.server.serverId)).toBeGreaterThan(before);
      expect(await row(user)).toMatchObject({ enabled: false, access_state: 'blocked', access_reason: 'disabled' });
      expect((await getUser(t.key, user)).body.access).toEqual({ state: 'blocked', reason: 'disabled' });

      const enabled = await patch(t.key, user, { enabled: true }).expect(200);
      expect(enabled.body).toMatchObject({ enabled: true, access: ALLOWED });
      expect(await row(user)).toMatchObject({ enabled: true, access_state: 'allowed', access_reason: null });
      expect((await auditOf(user)).filter((e) => e.action === 'user.update').map((e) => e.details)).toEqual([
        { client_name: 'plan-user', assignment_id: t.assignment, enabled: false },
        { client_name: 'plan-user', assignment_id: t.assignment, enabled: true },
      ]);
    });

    it('blocks a user whose expires_at has passed, and allows it again when extended or cleared', async () => {
      const t = await tenant();
      const user = await userOf(t);
      const past = await patch(t.key, user, { expires_at: '2020-01-01T00:00:00Z' }).expect(200);
      expect(past.body).toMatchObject({ expires_at: '2020-01-01T00:00:00.000Z', access: { state: 'blocked', reason: 'expired' } });
      const future = await patch(t.key, user, { expires_at: '2999-01-01T01:00:00+01:00' }).expect(200);
      expect(future.body).toMatchObject({ expires_at: '2999-01-01T00:00:00.000Z', access: ALLOWED });
      await patch(t.key, user, { expires_at: '2020-01-01T00:00:00Z' }).expect(200);
      const cleared = await patch(t.key, user, { expires_at: null }).expect(200);
      expect(cleared.body).toMatchObject({ expires_at: null, access: ALLOWED });
    });

    it('the strongest reason wins: a disabled user that has also expired reads disabled', async () => {
      const t = await tenant();
      const user = await userOf(t);
      const both = await patch(t.key, user, { enabled: false, expires_at: '2020-01-01T00:00:00Z' }).expect(200);
      expect(both.body.access).toEqual({ state: 'blocked', reason: 'disabled' });
      expect((await patch(t.key, user, { enabled: true }).expect(200)).body.access).toEqual({ state: 'blocked', reason: 'expired' });
    });

    it('sets, shows and removes a data limit; over it the user is blocked or throttled at once', async () => {
      const t = await tenant();
      const user = await userOf(t);
      await recordTraffic(user, t.server.serverId, 1_500_000, 600_000);

      const monthly = await patch(t.key, user, { data_limit: { bytes: 50_000_000_000, period: 'monthly', reset_day: 15, action: 'block' } }).expect(200);
      expect(monthly.body.data_limit).toEqual({ bytes: 50_000_000_000, period: 'monthly', reset_day: 15, action: 'block', throttle_mbps: null });
      expect(monthly.body.access).toEqual(ALLOWED);

      const blocked = await patch(t.key, user, { data_limit: { bytes: 2_000_000, period: 'total', action: 'block' } }).expect(200);
      expect(blocked.body.data_limit).toEqual({ bytes: 2_000_000, period: 'total', reset_day: null, action: 'block', throttle_mbps: null });
      expect(blocked.body.usage).toMatchObject({ rx_bytes: 1_500_000, tx_bytes: 600_000, total_bytes: 2_100_000 });
      expect(blocked.body.access).toEqual({ state: 'blocked', reason: 'data_limit_reached' });

      // What GET shows can be sent back as it is.
      const throttled = await patch(t.key, user, {
        data_limit: { bytes: 2_000_000, period: 'total', reset_day: null, action: 'throttle', throttle_mbps: 1.5 },
      }).expect(200);
      expect(throttled.body.data_limit).toEqual({ bytes: 2_000_000, period: 'total', reset_day: null, action: 'throttle', throttle_mbps: 1.5 });
      expect(throttled.body.access).toEqual({ state: 'throttled', reason: 'data_limit_reached' });

      const raised = await patch(t.key, user, { data_limit: { ...throttled.body.data_limit, bytes: 3_000_000 } }).expect(200);
      expect(raised.body.access).toEqual(ALLOWED);
      await patch(t.key, user, { data_limit: { bytes: 1_000_000, period: 'total', action: 'block' } }).expect(200);
      const removed = await patch(t.key, user, { data_limit: null }).expect(200);
      expect(removed.body).toMatchObject({ data_limit: null, access: ALLOWED });
      expect(await row(user)).toMatchObject({
        data_limit_bytes: null,
        data_limit_period: null,
        data_limit_reset_day: null,
        data_limit_action: null,
        data_limit_throttle_mbps: null,
      });
    });

    it('leaves the fields it was not sent as they were', async () => {
      const t = await tenant();
      const user = await userOf(t);
      await bandwidth(t.key, user).put({ download_mbps: 8, upload_mbps: 4 }).expect(200);
      await patch(t.key, user, { expires_at: '2999-01-01T00:00:00Z', data_limit: { bytes: 5_000_000, period: 'total', action: 'block' } }).expect(200);
      const after = await patch(t.key, user, { enabled: false }).expect(200);
      expect(after.body).toMatchObject({
        enabled: false,
        expires_at: '2999-01-01T00:00:00.000Z',
        bandwidth: { download_mbps: 8, upload_mbps: 4 },
        data_limit: { bytes: 5_000_000, period: 'total', reset_day: null, action: 'block', throttle_mbps: null },
      });
    });

    const monthly = { bytes: 50_000_000_000, period: 'monthly', reset_day: 1, action: 'block' };
    it.each([
      ['{}', {}, ['enabled', 'expires_at', 'data_limit']],
      ['an unknown field', { enabled: true, name: 'x' }, ['name']],
      ['a bandwidth field (that is PUT /bandwidth)', { download_mbps: 8 }, ['download_mbps']],
      ['enabled as a string', { enabled: 'false' }, ['enabled']],
      ['enabled null', { enabled: null }, ['enabled']],
      ['expires_at without an offset', { expires_at: '2027-01-31T23:59:59' }, ['expires_at']],
      ['expires_at on February 30', { expires_at: '2027-02-30T00:00:00Z' }, ['expires_at']],
      ['expires_at as a number', { expires_at: 1798761599 }, ['expires_at']],
      ['data_limit as a string', { data_limit: 'none' }, ['data_limit']],
      ['data_limit.bytes below 1000000', { data_limit: { ...monthly, bytes: 999_999 } }, ['data_limit.bytes']],
      ['data_limit.bytes a fraction', { data_limit: { ...monthly, bytes: 1_000_000.5 } }, ['data_limit.bytes']],
      ['data_limit.period unknown', { data_limit: { ...monthly, period: 'weekly' } }, ['data_limit.period']],
      ['a monthly limit without reset_day', { data_limit: { ...monthly, reset_day: undefined } }, ['data_limit.reset_day']],
      ['reset_day 29', { data_limit: { ...monthly, reset_day: 29 } }, ['data_limit.reset_day']],
      ['reset_day on a total limit', { data_limit: { ...monthly, period: 'total', reset_day: 3 } }, ['data_limit.reset_day']],
      ['data_limit.action unknown', { data_limit: { ...monthly, action: 'drop' } }, ['data_limit.action']],
      ['a throttle without throttle_mbps', { data_limit: { ...monthly, action: 'throttle' } }, ['data_limit.throttle_mbps']],
      ['throttle_mbps 0', { data_limit: { ...monthly, action: 'throttle', throttle_mbps: 0 } }, ['data_limit.throttle_mbps']],
      ['throttle_mbps on a block limit', { data_limit: { ...monthly, throttle_mbps: 2 } }, ['data_limit.throttle_mbps']],
      ['an unknown data_limit field', { data_limit: { ...monthly, soft: true } }, ['data_limit.soft']],
      ['one good field and one bad', { enabled: false, data_limit: { ...monthly, bytes: 5 } }, ['data_limit.bytes']],
    ])('422 on %s, naming the field, and nothing written', async (_label, body, fields) => {
      const t = await tenant();
      const user = await userOf(t);
      await markActive(user);
      const before = { row: await row(user), generation: await generation(t.server.serverId), audit: (await auditOf(user)).length };
      const response = await patch(t.key, user, body).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(fieldsOf(response.body).sort()).toEqual([...fields].sort());
      for (const field of fields) expect(response.body.error).toContain(field);
      expect({ row: await row(user), generation: await generation(t.server.serverId), audit: (await auditOf(user)).length }).toEqual(before);
    });

    it('says what to send on an empty body and on an unknown field', async () => {
      const t = await tenant();
      const user = await userOf(t);
      const empty = await patch(t.key, user, {}).expect(422);
      expect(empty.body.error).toMatch(/send at least one of enabled, expires_at, data_limit/);
      const unknown = await patch(t.key, user, { expired: true }).expect(422);
      expect(unknown.body.error).toMatch(/expired: is not a known field; remove it \(this body takes enabled, expires_at, data_limit\)/);
      const nested = await patch(t.key, user, { data_limit: { ...monthly, limit: 1 } }).expect(422);
      expect(nested.body.error).toMatch(/data_limit\.limit: is not a known field; remove it/);
      const noBody = await request(http).patch(`/api/wg/users/${user}`).set(bearer(t.key)).set('content-type', 'application/json').send('');
      expect(noBody.status).toBe(400);
      expect(noBody.body.error).toMatch(/send a JSON object/);
    });
  });

  describe('POST /api/wg/servers/{id}/users with a plan', () => {
    it('creates a user with its bandwidth, end date, data limit, and disabled', async () => {
      const t = await tenant();
      const created = await create(t.key, t.assignment, {
        client_name: 'planned',
        bandwidth: { download_mbps: 8, upload_mbps: 4 },
        expires_at: '2999-12-31T23:59:59Z',
        data_limit: { bytes: 10_000_000_000, period: 'monthly', reset_day: 28, action: 'throttle', throttle_mbps: 0.5 },
      }).expect(201);
      expect(created.body).toMatchObject({
        client_name: 'planned',
        enabled: true,
        expires_at: '2999-12-31T23:59:59.000Z',
        bandwidth: { download_mbps: 8, upload_mbps: 4 },
        data_limit: { bytes: 10_000_000_000, period: 'monthly', reset_day: 28, action: 'throttle', throttle_mbps: 0.5 },
        access: ALLOWED,
        config: expect.any(String),
      });
      const disabled = await create(t.key, t.assignment, { client_name: 'later', enabled: false, bandwidth: { upload_mbps: 1 } }).expect(201);
      expect(disabled.body).toMatchObject({ enabled: false, bandwidth: { download_mbps: null, upload_mbps: 1 }, access: { state: 'blocked', reason: 'disabled' } });
      const expired = await create(t.key, t.assignment, { client_name: 'expired', expires_at: '2001-01-01T00:00:00Z' }).expect(201);
      expect(expired.body.access).toEqual({ state: 'blocked', reason: 'expired' });
      expect(await row(disabled.body.id)).toMatchObject({ enabled: false, access_state: 'blocked', access_reason: 'disabled', upload_mbps: '1.000' });
    });

    it.each([
      ['bandwidth {}', { bandwidth: {} }, 'bandwidth'],
      ['bandwidth null', { bandwidth: null }, 'bandwidth'],
      ['a bandwidth of 0', { bandwidth: { download_mbps: 0 } }, 'bandwidth.download_mbps'],
      ['a bandwidth with four decimals', { bandwidth: { upload_mbps: 2.0001 } }, 'bandwidth.upload_mbps'],
      ['an unknown bandwidth field', { bandwidth: { upload_mbps: 2, ceil: 3 } }, 'bandwidth.ceil'],
      ['enabled as a number', { enabled: 1 }, 'enabled'],
      ['expires_at without an offset', { expires_at: '2999-01-01' }, 'expires_at'],
      ['a monthly limit without reset_day', { data_limit: { bytes: 5_000_000, period: 'monthly', action: 'block' } }, 'data_limit.reset_day'],
    ])('422 on %s, naming the field, and no user created', async (_label, plan, field) => {
      const t = await tenant();
      const response = await create(t.key, t.assignment, { client_name: 'refused', ...plan }).expect(422);
      expect(fieldsOf(response.body)).toContain(field);
      expect((await db.query('SELECT count(*)::int AS n FROM wg_user WHERE assignment_id = $1', [t.assignment]))[0].n).toBe(0);
    });
  });

  describe('the plan on every user object', () => {
    it('create, get, list, status, PATCH and the admin’s server list all show the same plan, usage, access and formatted traffic', async () => {
      const t = await tenant();
      const admin = await makeAccount(app, 'admin');
      const created = await create(t.key, t.assignment, {
        client_name: 'shown',
        bandwidth: { download_mbps: 25.5 },
        expires_at: '2999-06-30T12:00:00Z',
        data_limit: { bytes: 100_000_000_000, period: 'total', action: 'block' },
      }).expect(201);
      const user = created.body.id as number;
      const plan = {
        enabled: true,
        expires_at: '2999-06-30T12:00:00.000Z',
        bandwidth: { download_mbps: 25.5, upload_mbps: null },
        data_limit: { bytes: 100_000_000_000, period: 'total', reset_day: null, action: 'block', throttle_mbps: null },
        access: ALLOWED,
      };
      expect(created.body).toMatchObject({
        ...plan,
        usage: { period_start: expect.stringMatching(ISO), rx_bytes: 0, tx_bytes: 0, total_bytes: 0 },
        rx_bytes: 0,
        rx_formatted: '0 B',
        tx_bytes: 0,
        tx_formatted: '0 B',
      });

      await recordTraffic(user, t.server.serverId, 1_299_227_607, 512);
      const traffic = { rx_bytes: 1_299_227_607, rx_formatted: '1.21 GiB', tx_bytes: 512, tx_formatted: '512 B' };
      const usage = { period_start: expect.stringMatching(ISO), rx_bytes: 1_299_227_607, tx_bytes: 512, total_bytes: 1_299_228_119 };
      const expected = { ...plan, usage, ...traffic };

      const got = (await getUser(t.key, user)).body;
      const listed = (await request(http).get(`/api/wg/servers/${t.assignment}/users`).set(bearer(t.key)).expect(200)).body.users[0];
      const status = (await request(http).get(`/api/wg/servers/${t.assignment}/status`).set(bearer(t.key)).expect(200)).body.users[0];
      const patched = (await patch(t.key, user, { enabled: true }).expect(200)).body;
      const adminListed = (await request(http).get(`/api/admin/servers/${t.server.serverId}/users`).set(bearer(admin.key)).expect(200)).body.users[0];
      for (const [where, object] of Object.entries({ got, listed, status, patched, adminListed })) {
        expect({ where, object }).toEqual({ where, object: expect.objectContaining(expected) });
      }
      expect(got.usage.period_start).toBe(created.body.usage.period_start);
      // The status route keeps its own short shape, with the plan added.
      expect(Object.keys(status).sort()).toEqual(
        ['id', 'client_name', 'public_key', 'online', 'last_seen', 'endpoint', 'rx_bytes', 'rx_formatted', 'tx_bytes', 'tx_formatted',
          'enabled', 'expires_at', 'bandwidth', 'data_limit', 'usage', 'access'].sort(),
      );
    });

    it('an operator’s peer (WGDashboard) shows its plan defaults in the admin’s list', async () => {
      const t = await tenant();
      const admin = await makeAccount(app, 'admin');
      await db.query(
        `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive, state)
         VALUES ($1, NULL, 'operator-peer', $2, '10.8.0.50', ARRAY['0.0.0.0/0'], 0, 'active')`,
        [t.server.serverId, generateKeyPair().publicKey],
      );
      const listed = (await request(http).get(`/api/admin/servers/${t.server.serverId}/users`).set(bearer(admin.key)).expect(200)).body.users;
      expect(listed[0]).toMatchObject({
        assignment_id: null,
        enabled: true,
        expires_at: null,
        bandwidth: UNLIMITED,
        data_limit: null,
        usage: { rx_bytes: 0, tx_bytes: 0, total_bytes: 0 },
        access: ALLOWED,
        rx_formatted: '0 B',
        tx_formatted: '0 B',
      });
    });
  });

  describe('auth, tenancy and limits', () => {
    const NEW_ROUTES: Array<[string, (key: string, user: number) => request.Test]> = [
      ['GET /users/{id}/bandwidth', (key, user) => bandwidth(key, user).get()],
      ['PUT /users/{id}/bandwidth', (key, user) => bandwidth(key, user).put({ download_mbps: 1 })],
      ['DELETE /users/{id}/bandwidth', (key, user) => bandwidth(key, user).delete()],
      ['PATCH /users/{id}', (key, user) => patch(key, user, { enabled: false })],
    ];

    it.each(NEW_ROUTES)('%s: 401 without a key, 403 on another account’s user (unchanged), 404 on a missing one', async (_name, call) => {
      const mine = await tenant();
      const theirs = await tenant();
      const theirUser = await userOf(theirs, 'theirs');
      await bandwidth(theirs.key, theirUser).put({ download_mbps: 7 }).expect(200);
      const before = await row(theirUser);

      const anonymous = await call('', theirUser).set('authorization', '');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('unauthenticated');
      const forbidden = await call(mine.key, theirUser);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body.code).toBe('forbidden');
      expect(forbidden.text).not.toContain('theirs');
      const missing = await call(mine.key, MISSING);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('not_found');
      expect(await row(theirUser)).toEqual(before);
    });

    it.each(NEW_ROUTES)('%s: 403 on an operator’s peer, which only the WGDashboard API manages', async (_name, call) => {
      const t = await tenant();
      const [peer] = await db.query(
        `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive, state)
         VALUES ($1, NULL, 'operator-peer', $2, '10.8.0.60', ARRAY['0.0.0.0/0'], 0, 'active') RETURNING id`,
        [t.server.serverId, generateKeyPair().publicKey],
      );
      const response = await call(t.key, Number(peer.id));
      expect(response.status).toBe(403);
      expect(response.body.error).toMatch(/operator's peer/);
    });

    it('a reseller sets the plan of its customers’ users as of its own; another reseller and a sibling customer get 403', async () => {
      const reseller = await makeAccount(app, 'reseller');
      const otherReseller = await makeAccount(app, 'reseller');
      const customer = await tenant({ parentId: reseller.id });
      const sibling = await tenant({ parentId: reseller.id });
      const user = await userOf(customer, 'resold');

      const set = await bandwidth(reseller.key, user).put({ download_mbps: 20, upload_mbps: 5 }).expect(200);
      expect(set.body).toMatchObject({ user_id: user, download_mbps: 20, upload_mbps: 5 });
      const disabled = await patch(reseller.key, user, { enabled: false, data_limit: { bytes: 1_000_000_000, period: 'monthly', reset_day: 1, action: 'block' } }).expect(200);
      expect(disabled.body).toMatchObject({ enabled: false, access: { state: 'blocked', reason: 'disabled' } });
      expect((await bandwidth(reseller.key, user).get().expect(200)).body).toMatchObject({ download_mbps: 20, upload_mbps: 5 });
      // The customer sees what its reseller set.
      expect((await getUser(customer.key, user)).body).toMatchObject({ enabled: false, bandwidth: { download_mbps: 20, upload_mbps: 5 } });
      const [entry] = (await auditOf(user)).filter((e) => e.action === 'user.bandwidth');
      expect(entry.details).toMatchObject({ download_mbps: 20 });

      for (const key of [otherReseller.key, sibling.key]) {
        expect((await bandwidth(key, user).put({ download_mbps: 1 })).status).toBe(403);
        expect((await patch(key, user, { enabled: true })).status).toBe(403);
      }
      expect(await row(user)).toMatchObject({ enabled: false, download_mbps: '20.000' });
      await bandwidth(reseller.key, user).delete().expect(200);
      expect((await patch(reseller.key, user, { enabled: true }).expect(200)).body.access).toEqual(ALLOWED);
    });

    it('the new routes count against the key’s rate limit and say so in the headers', async () => {
      const t = await tenant();
      const user = await userOf(t);
      for (const [name, call] of NEW_ROUTES) {
        const response = await call(t.key, user);
        expect({ name, status: response.status }).toEqual({ name, status: 200 });
        expect(response.headers['x-ratelimit-limit']).toBe('100000');
        expect(Number(response.headers['x-ratelimit-remaining'])).toBeLessThan(100000);
      }
    });

    it('documents the new routes and their bodies in the OpenAPI document', async () => {
      const { paths, components } = (await request(http).get('/docs/openapi.json').expect(200)).body;
      expect(Object.keys(paths['/api/wg/users/{id}/bandwidth']).sort()).toEqual(['delete', 'get', 'put']);
      expect(Object.keys(paths['/api/wg/users/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(components.schemas.SetBandwidthDto.properties).sort()).toEqual(['download_mbps', 'upload_mbps']);
      expect(Object.keys(components.schemas.UpdateUserDto.properties).sort()).toEqual(['data_limit', 'enabled', 'expires_at']);
      expect(Object.keys(components.schemas.SetDataLimitDto.properties).sort()).toEqual(['action', 'bytes', 'period', 'reset_day', 'throttle_mbps']);
      expect(Object.keys(components.schemas.CreateUserDto.properties)).toEqual(expect.arrayContaining(['client_name', 'bandwidth', 'expires_at', 'data_limit', 'enabled']));
    });
  });
});
