import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair, parseClientConfig, publicKeyFromPrivate } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const KEY = /^[A-Za-z0-9+/]{43}=$/;
const MISSING = 987_654_321;

describe('customer users: /api/wg/servers/{id}/users and /api/wg/users/{id}', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  /** A customer with one assignment on a fresh server. */
  async function tenant(options: Parameters<typeof makeServer>[1] = {}, quotas: Parameters<typeof assign>[3] = {}) {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, options);
    const assignment = await assign(app, server.serverId, account.id, quotas);
    return { ...account, server, assignment };
  }

  const create = (key: string, assignment: number, body: object) =>
    request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key)).send(body);

  const desiredGeneration = async (key: string, assignment: number): Promise<number> => {
    const response = await request(http).get('/api/wg/servers').set(bearer(key)).expect(200);
    return response.body.servers.find((s: { assignment_id: number }) => s.assignment_id === assignment).sync.desired_generation;
  };

  describe('POST /api/wg/servers/{id}/users', () => {
    it('creates a user with exactly the contract shape, its config and keys, and no-store', async () => {
      const t = await tenant();
      const response = await create(t.key, t.assignment, { client_name: 'web-server' }).expect(201);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.body;
      expect(Object.keys(body).sort()).toEqual(
        [
          'id', 'assignment_id', 'client_name', 'client_ip', 'client_ipv6', 'public_key', 'created_at', 'provisioning',
          'online', 'last_seen', 'endpoint', 'rx_bytes', 'tx_bytes', 'config', 'keys',
          'enabled', 'expires_at', 'bandwidth', 'data_limit', 'usage', 'access', 'rx_formatted', 'tx_formatted',
        ].sort(),
      );
      expect(body).toEqual({
        id: expect.any(Number),
        assignment_id: t.assignment,
        client_name: 'web-server',
        client_ip: '10.8.0.2',
        client_ipv6: 'fd42:66:1::2',
        public_key: expect.stringMatching(KEY),
        created_at: expect.stringMatching(ISO),
        provisioning: { state: 'pending', error: null },
        enabled: true,
        expires_at: null,
        bandwidth: { download_mbps: null, upload_mbps: null },
        data_limit: null,
        usage: { period_start: body.created_at, rx_bytes: 0, tx_bytes: 0, total_bytes: 0 },
        access: { state: 'allowed', reason: null },
        online: false,
        last_seen: null,
        endpoint: null,
        rx_bytes: 0,
        rx_formatted: '0 B',
        tx_bytes: 0,
        tx_formatted: '0 B',
        config: expect.any(String),
        keys: {
          client_private_key: expect.stringMatching(KEY),
          client_public_key: body.public_key,
          preshared_key: expect.stringMatching(KEY),
          server_public_key: t.server.publicKey,
        },
      });
      expect(publicKeyFromPrivate(body.keys.client_private_key)).toBe(body.public_key);

      const config = parseClientConfig(body.config);
      expect(config).toEqual({
        privateKey: body.keys.client_private_key,
        addresses: ['10.8.0.2/32', 'fd42:66:1::2/128'],
        dns: ['1.1.1.1'],
        mtu: 1420,
        peer: {
          publicKey: t.server.publicKey,
          presharedKey: body.keys.preshared_key,
          endpoint: `${t.server.publicIpv4}:51820`,
          allowedIps: ['0.0.0.0/0', '::/0'],
          persistentKeepalive: 25,
        },
      });
    });

    it('gives no IPv6 address when the server has no IPv6 subnet', async () => {
      const t = await tenant({ ipv6Subnet: null });
      const { body } = await create(t.key, t.assignment, { client_name: 'v4only' }).expect(201);
      expect(body.client_ipv6).toBeNull();
      expect(parseClientConfig(body.config).addresses).toEqual(['10.8.0.2/32']);
    });

    it('keeps no private key for a client that brings its own public key', async () => {
      const t = await tenant();
      const pair = generateKeyPair();
      const { body } = await create(t.key, t.assignment, { client_name: 'byo', public_key: pair.publicKey, preshared_key: false }).expect(201);
      expect(body.public_key).toBe(pair.publicKey);
      expect(body.keys).toEqual({ client_private_key: null, client_public_key: pair.publicKey, preshared_key: null, server_public_key: t.server.publicKey });
      expect(body.config).toContain('PrivateKey = <insert your private key>');
      expect(body.config).not.toContain('PresharedKey');
      const parsed = parseClientConfig(body.config);
      expect(parsed.privateKey).toBeNull();
      expect(parsed.peer.presharedKey).toBeNull();
      const [row] = await app.get(DataSource).query('SELECT private_key_enc, preshared_key_enc FROM wg_user WHERE id = $1', [body.id]);
      expect(row).toEqual({ private_key_enc: null, preshared_key_enc: null });

      const again = await create(t.key, t.assignment, { client_name: 'byo2', public_key: pair.publicKey }).expect(409);
      expect(again.body).toMatchObject({ code: 'conflict', errors: [{ field: 'public_key' }] });
      expect(again.body.error).toMatch(/public key/);
    });

    it('stores private and preshared keys sealed, never in plain text', async () => {
      const t = await tenant();
      const { body } = await create(t.key, t.assignment, { client_name: 'sealed' }).expect(201);
      const [row] = await app.get(DataSource).query('SELECT private_key_enc, preshared_key_enc FROM wg_user WHERE id = $1', [body.id]);
      for (const [column, secret] of [['private_key_enc', body.keys.client_private_key], ['preshared_key_enc', body.keys.preshared_key]]) {
        expect(Buffer.isBuffer(row[column])).toBe(true);
        expect(row[column].includes(Buffer.from(secret, 'base64'))).toBe(false);
        expect(row[column].toString('latin1')).not.toContain(secret);
      }
    });

    it('uses the caller’s dns, allowed_ips (array or comma list) and keepalive in the config', async () => {
      const t = await tenant();
      const { body } = await create(t.key, t.assignment, {
        client_name: 'custom', dns: ['9.9.9.9', '2620:fe::fe'], allowed_ips: ['10.8.0.0/24', 'fd42:66:1::/64'], persistent_keepalive: 0,
      }).expect(201);
      const parsed = parseClientConfig(body.config);
      expect(parsed.dns).toEqual(['9.9.9.9', '2620:fe::fe']);
      expect(parsed.peer.allowedIps).toEqual(['10.8.0.0/24', 'fd42:66:1::/64']);
      expect(parsed.peer.persistentKeepalive).toBeNull();
      const comma = await create(t.key, t.assignment, { client_name: 'comma', allowed_ips: '10.0.0.0/8, 192.168.0.0/16' }).expect(201);
      expect(parseClientConfig(comma.body.config).peer.allowedIps).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    });

    it('gives 20 parallel creates on one server 20 distinct addresses', async () => {
      const t = await tenant();
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => create(t.key, t.assignment, { client_name: `p${i}` })));
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(new Set(responses.map((r) => r.body.client_ip)).size).toBe(20);
      expect(new Set(responses.map((r) => r.body.client_ipv6)).size).toBe(20);
      expect(new Set(responses.map((r) => r.body.public_key)).size).toBe(20);
    });

    it('is 409 server_full when a /29 subnet has no free address', async () => {
      const t = await tenant({ ipv4Subnet: '10.77.0.0/29' });
      const ips: string[] = [];
      for (let i = 0; i < 5; i++) ips.push((await create(t.key, t.assignment, { client_name: `f${i}` }).expect(201)).body.client_ip);
      expect(ips).toEqual(['10.77.0.2', '10.77.0.3', '10.77.0.4', '10.77.0.5', '10.77.0.6']);
      const full = await create(t.key, t.assignment, { client_name: 'f5' }).expect(409);
      expect(full.body).toMatchObject({ status: 409, code: 'server_full' });
      // A deleted user's address is handed out again.
      const list = await request(http).get(`/api/wg/servers/${t.assignment}/users?name=f2`).set(bearer(t.key)).expect(200);
      await request(http).delete(`/api/wg/users/${list.body.users[0].id}`).set(bearer(t.key)).expect(200);
      expect((await create(t.key, t.assignment, { client_name: 'f6' }).expect(201)).body.client_ip).toBe('10.77.0.4');
      // The first client address too, and its IPv6 twin (the IPv6 pool has its own gap there).
      const first = await request(http).get(`/api/wg/servers/${t.assignment}/users?name=f0`).set(bearer(t.key)).expect(200);
      await request(http).delete(`/api/wg/users/${first.body.users[0].id}`).set(bearer(t.key)).expect(200);
      const again = (await create(t.key, t.assignment, { client_name: 'f7' }).expect(201)).body;
      expect([again.client_ip, again.client_ipv6]).toEqual(['10.77.0.2', 'fd42:66:1::2']);
    });

    it('is 409 server_full at max_users, counting what is delegated to customers', async () => {
      const t = await tenant({}, { maxUsers: 2 });
      await create(t.key, t.assignment, { client_name: 'a' }).expect(201);
      await create(t.key, t.assignment, { client_name: 'b' }).expect(201);
      expect((await create(t.key, t.assignment, { client_name: 'c' }).expect(409)).body.code).toBe('server_full');

      const reseller = await makeAccount(app, 'reseller');
      const server = await makeServer(app);
      const parent = await assign(app, server.serverId, reseller.id, { maxUsers: 3 });
      const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
      const child = await assign(app, server.serverId, customer.id, { maxUsers: 2, parentAssignmentId: parent });
      await create(reseller.key, parent, { client_name: 'r1' }).expect(201);
      expect((await create(reseller.key, parent, { client_name: 'r2' }).expect(409)).body.code).toBe('server_full');
      await create(customer.key, child, { client_name: 'c1' }).expect(201);
      await create(customer.key, child, { client_name: 'c2' }).expect(201);
      expect((await create(customer.key, child, { client_name: 'c3' }).expect(409)).body.code).toBe('server_full');
    });

    it('lets one of two parallel creates with the same name win, and compares names case-insensitively', async () => {
      const t = await tenant();
      const [a, b] = await Promise.all([create(t.key, t.assignment, { client_name: 'twin' }), create(t.key, t.assignment, { client_name: 'twin' })]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      expect([a, b].find((r) => r.status === 409)!.body.code).toBe('duplicate_name');
      const upper = await create(t.key, t.assignment, { client_name: 'TWIN' }).expect(409);
      expect(upper.body).toMatchObject({ code: 'duplicate_name', errors: [{ field: 'client_name' }] });
      // Names are per assignment: another customer on the same server may use it.
      const other = await makeAccount(app, 'customer');
      const otherAssignment = await assign(app, t.server.serverId, other.id);
      await create(other.key, otherAssignment, { client_name: 'twin' }).expect(201);
    });

    it('refuses mass assignment, listing each forbidden field', async () => {
      const t = await tenant();
      const response = await create(t.key, t.assignment, {
        client_name: 'x', account_id: 1, private_key: generateKeyPair().privateKey, is_admin: true, server_allowed_ips: ['0.0.0.0/0'],
      }).expect(422);
      expect(response.body.code).toBe('validation_failed');
      const fields = response.body.errors.map((e: { field: string }) => e.field).sort();
      expect(fields).toEqual(['account_id', 'is_admin', 'private_key', 'server_allowed_ips']);
      const list = await request(http).get(`/api/wg/servers/${t.assignment}/users`).set(bearer(t.key)).expect(200);
      expect(list.body.users).toEqual([]);
    });

    it('refuses prototype pollution and leaves Object.prototype alone', async () => {
      const t = await tenant();
      for (const raw of ['{"__proto__":{"isAdmin":true},"client_name":"x"}', '{"constructor":{"prototype":{"isAdmin":true}},"client_name":"x"}']) {
        const response = await request(http)
          .post(`/api/wg/servers/${t.assignment}/users`)
          .set({ ...bearer(t.key), 'content-type': 'application/json' })
          .send(raw);
        expect([400, 422]).toContain(response.status);
        expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
      }
    });

    it.each([
      'a;id', '$(reboot)', '`id`', 'x\nPostUp = rm -rf /', 'x\r\n[Peer]', 'x"--comment', '../../etc/passwd',
      '\u202Eabc', 'a\u200Bb', 'a\u0000b', 'a\uD800', 'café', 'Ｗｅｂ',
      'server', 'SERVER', 'wg0', 'WG0', '', '.', 'x'.repeat(51), 'Web-Server ',
    ].map((name) => [name.length > 60 ? `${name.slice(0, 20)}… (${name.length})` : JSON.stringify(name), name])
      .concat([['5000 emoji', '😀'.repeat(5000)]]))('refuses the client_name %s with 422', async (_label, name) => {
      const t = await tenant();
      const response = await create(t.key, t.assignment, { client_name: name });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'validation_failed', errors: [{ field: 'client_name' }] });
    });

    it.each([
      [{ client_name: 'x', public_key: 'AAA;echo x;' }, 'public_key'],
      [{ client_name: 'x', public_key: `${generateKeyPair().publicKey.slice(0, 42)}B=` }, 'public_key'],
      [{ client_name: 'x', preshared_key: 'yes' }, 'preshared_key'],
      [{ client_name: 'x', dns: ['dns.example.com'] }, 'dns'],
      [{ client_name: 'x', dns: '1.1.1.1' }, 'dns'],
      [{ client_name: 'x', allowed_ips: ['10.0.0.5/24'] }, 'allowed_ips'],
      [{ client_name: 'x', allowed_ips: ['10.0.0.0/33'] }, 'allowed_ips'],
      [{ client_name: 'x', allowed_ips: [] }, 'allowed_ips'],
      [{ client_name: 'x', persistent_keepalive: 65536 }, 'persistent_keepalive'],
      [{ client_name: 'x', persistent_keepalive: -1 }, 'persistent_keepalive'],
      [{ client_name: 'x', persistent_keepalive: '25' }, 'persistent_keepalive'],
      [{ client_name: 42 }, 'client_name'],
      [{}, 'client_name'],
    ])('refuses %j with 422 naming %s', async (body, field) => {
      const t = await tenant();
      const response = await create(t.key, t.assignment, body).expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('bumps desired_generation on each create and delete', async () => {
      const t = await tenant();
      const before = await desiredGeneration(t.key, t.assignment);
      const { body } = await create(t.key, t.assignment, { client_name: 'gen' }).expect(201);
      expect(await desiredGeneration(t.key, t.assignment)).toBe(before + 1);
      await request(http).delete(`/api/wg/users/${body.id}`).set(bearer(t.key)).expect(200);
      expect(await desiredGeneration(t.key, t.assignment)).toBe(before + 2);
      // A refused create changes nothing.
      await create(t.key, t.assignment, { client_name: 'server' }).expect(422);
      expect(await desiredGeneration(t.key, t.assignment)).toBe(before + 2);
    });
  });

  describe('GET /api/wg/users/{id} and DELETE', () => {
    it('returns the same user, config and keys as the create, with no-store', async () => {
      const t = await tenant();
      const created = await create(t.key, t.assignment, { client_name: 'again' }).expect(201);
      const response = await request(http).get(`/api/wg/users/${created.body.id}`).set(bearer(t.key)).expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual(created.body);
    });

    it('deletes with 200 {id, deleted}, then 404, with an audit entry', async () => {
      const t = await tenant();
      const { body } = await create(t.key, t.assignment, { client_name: 'gone' }).expect(201);
      expect((await request(http).delete(`/api/wg/users/${body.id}`).set(bearer(t.key)).expect(200)).body).toEqual({ id: body.id, deleted: true });
      await request(http).get(`/api/wg/users/${body.id}`).set(bearer(t.key)).expect(404);
      await request(http).delete(`/api/wg/users/${body.id}`).set(bearer(t.key)).expect(404);
      const audit = await app.get(DataSource).query(
        "SELECT action, details FROM audit_log WHERE target_type = 'wg_user' AND target_id = $1 ORDER BY id",
        [body.id],
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['user.create', 'user.delete']);
      expect(JSON.stringify(audit)).not.toContain(body.keys.client_private_key);
    });

    it.each(['abc', '-1', '0', '1e3', '99999999999999999999', '%00', '..%2f..%2fservers'])('answers /api/wg/users/%s with 404 or 422, never 500', async (id) => {
      const t = await tenant();
      for (const method of ['get', 'delete'] as const) {
        const response = await request(http)[method](`/api/wg/users/${id}`).set(bearer(t.key));
        expect([404, 422]).toContain(response.status);
        if (/^[a-z0-9-]+$/i.test(id)) expect({ id, status: response.status }).toEqual({ id, status: 422 });
      }
    });

    it('is 404 for missing ids', async () => {
      const t = await tenant();
      await request(http).get(`/api/wg/users/${MISSING}`).set(bearer(t.key)).expect(404);
      await request(http).delete(`/api/wg/users/${MISSING}`).set(bearer(t.key)).expect(404);
      for (const path of [`/api/wg/servers/${MISSING}/users`, `/api/wg/servers/${MISSING}/status`]) {
        await request(http).get(path).set(bearer(t.key)).expect(404);
      }
      await create(t.key, MISSING, { client_name: 'x' }).expect(404);
    });
  });

  describe('GET /api/wg/servers/{id}/users', () => {
    it('pages by id and filters by name, public_key, ip and online', async () => {
      const t = await tenant();
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await create(t.key, t.assignment, { client_name: `u${i}` }).expect(201)).body);
      const base = `/api/wg/servers/${t.assignment}/users`;
      const first = await request(http).get(`${base}?limit=2`).set(bearer(t.key)).expect(200);
      expect(Object.keys(first.body).sort()).toEqual(['next_cursor', 'users']);
      expect(first.body.users.map((u: { client_name: string }) => u.client_name)).toEqual(['u0', 'u1']);
      const { config: _c, keys: _k, ...asUser } = made[0];
      expect(first.body.users[0]).toEqual(asUser);
      const second = await request(http).get(`${base}?limit=2&cursor=${first.body.next_cursor}`).set(bearer(t.key)).expect(200);
      expect(second.body.users.map((u: { client_name: string }) => u.client_name)).toEqual(['u2', 'u3']);
      const third = await request(http).get(`${base}?limit=2&cursor=${second.body.next_cursor}`).set(bearer(t.key)).expect(200);
      expect(third.body).toEqual({ users: [expect.objectContaining({ client_name: 'u4' })], next_cursor: null });

      const names = async (query: string) =>
        (await request(http).get(`${base}?${query}`).set(bearer(t.key)).expect(200)).body.users.map((u: { client_name: string }) => u.client_name);
      expect(await names('name=u3')).toEqual(['u3']);
      expect(await names('name=U3')).toEqual([]);
      expect(await names(`public_key=${encodeURIComponent(made[1].public_key)}`)).toEqual(['u1']);
      expect(await names(`ip=${made[2].client_ip}`)).toEqual(['u2']);
      expect(await names(`ip=${encodeURIComponent(made[4].client_ipv6.toUpperCase())}`)).toEqual(['u4']);
      expect(await names('ip=10.99.0.1')).toEqual([]);
      // Nothing polls the nodes yet, so every user is offline.
      expect(await names('online=true')).toEqual([]);
      expect(await names('online=false')).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);

      for (const bad of ['ip=10.0.0.256', 'ip=abc', 'online=yes', 'limit=0', 'limit=501', 'cursor=nonsense', 'public_key=abc', 'unknown=1']) {
        const response = await request(http).get(`${base}?${bad}`).set(bearer(t.key));
        expect({ bad, status: response.status }).toEqual({ bad, status: 422 });
        expect(response.body.code).toBe('validation_failed');
      }
    });
  });

  describe('GET /api/wg/servers/{id}/status', () => {
    it('returns the server state and every user offline, without secrets', async () => {
      const t = await tenant();
      const a = (await create(t.key, t.assignment, { client_name: 'sa' }).expect(201)).body;
      const b = (await create(t.key, t.assignment, { client_name: 'sb' }).expect(201)).body;
      const response = await request(http).get(`/api/wg/servers/${t.assignment}/status`).set(bearer(t.key)).expect(200);
      expect(response.body).toEqual({
        server: {
          assignment_id: t.assignment,
          interface: 'unknown',
          polled_at: null,
          sync: { state: 'pending', desired_generation: 3, applied_generation: 0, last_error: null, last_applied_at: null },
        },
        users: [a, b].map((u) => ({
          id: u.id, client_name: u.client_name, public_key: u.public_key, online: false, last_seen: null, endpoint: null,
          rx_bytes: 0, rx_formatted: '0 B', tx_bytes: 0, tx_formatted: '0 B',
          enabled: true, expires_at: null, bandwidth: { download_mbps: null, upload_mbps: null }, data_limit: null,
          usage: { period_start: u.created_at, rx_bytes: 0, tx_bytes: 0, total_bytes: 0 }, access: { state: 'allowed', reason: null },
        })),
      });
      expect(response.text).not.toContain(a.keys.client_private_key);
    });
  });

  describe('tenancy', () => {
    it('answers 401 without a key on every route', async () => {
      const t = await tenant();
      const user = (await create(t.key, t.assignment, { client_name: 'auth' }).expect(201)).body.id;
      await request(http).get(`/api/wg/servers/${t.assignment}/users`).expect(401);
      await request(http).post(`/api/wg/servers/${t.assignment}/users`).send({ client_name: 'x' }).expect(401);
      await request(http).get(`/api/wg/servers/${t.assignment}/status`).expect(401);
      await request(http).get(`/api/wg/users/${user}`).expect(401);
      await request(http).delete(`/api/wg/users/${user}`).expect(401);
    });

    it('is 403 on another customer’s, another reseller’s and a sibling’s assignment and users, leaking nothing', async () => {
      const resellerA = await makeAccount(app, 'reseller');
      const resellerB = await makeAccount(app, 'reseller');
      const server = await makeServer(app);
      const customerA1 = await makeAccount(app, 'customer', { parentId: resellerA.id });
      const customerA2 = await makeAccount(app, 'customer', { parentId: resellerA.id });
      const lone = await makeAccount(app, 'customer');
      const assignments = {
        resellerB: await assign(app, server.serverId, resellerB.id),
        sibling: await assign(app, server.serverId, customerA2.id),
        lone: await assign(app, server.serverId, lone.id),
      };
      const keys = { resellerB: resellerB.key, sibling: customerA2.key, lone: lone.key };
      const victims = [];
      for (const [who, assignment] of Object.entries(assignments)) {
        const created = (await create(keys[who as keyof typeof keys], assignment, { client_name: `secret-${who}` }).expect(201)).body;
        victims.push({ who, assignment, user: created.id, name: created.client_name, publicKey: created.public_key, privateKey: created.keys.client_private_key });
      }
      const before = await app.get(DataSource).query('SELECT count(*)::int AS n FROM wg_user WHERE server_id = $1', [server.serverId]);

      const callers = [
        { label: 'customer of reseller A', key: customerA1.key, denied: ['resellerB', 'sibling', 'lone'] },
        { label: 'reseller A', key: resellerA.key, denied: ['resellerB', 'lone'] },
        { label: 'reseller B', key: resellerB.key, denied: ['sibling', 'lone'] },
      ];
      for (const caller of callers) {
        for (const victim of victims.filter((v) => caller.denied.includes(v.who))) {
          const responses = [
            await request(http).get(`/api/wg/servers/${victim.assignment}/users`).set(bearer(caller.key)),
            await request(http).get(`/api/wg/servers/${victim.assignment}/status`).set(bearer(caller.key)),
            await create(caller.key, victim.assignment, { client_name: 'intruder' }),
            await request(http).get(`/api/wg/users/${victim.user}`).set(bearer(caller.key)),
            await request(http).delete(`/api/wg/users/${victim.user}`).set(bearer(caller.key)),
          ];
          for (const response of responses) {
            expect({ caller: caller.label, victim: victim.who, status: response.status }).toEqual({ caller: caller.label, victim: victim.who, status: 403 });
            expect(response.body.code).toBe('forbidden');
            for (const secret of [victim.name, victim.publicKey, victim.privateKey]) expect(response.text).not.toContain(secret);
          }
        }
      }
      const after = await app.get(DataSource).query('SELECT count(*)::int AS n FROM wg_user WHERE server_id = $1', [server.serverId]);
      expect(after).toEqual(before);
    });

    it('lets a reseller act on its customer’s assignment and users', async () => {
      const reseller = await makeAccount(app, 'reseller');
      const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
      const server = await makeServer(app);
      const assignment = await assign(app, server.serverId, customer.id);
      const created = (await create(reseller.key, assignment, { client_name: 'by-reseller' }).expect(201)).body;
      expect(created.assignment_id).toBe(assignment);
      const seen = await request(http).get(`/api/wg/servers/${assignment}/users`).set(bearer(customer.key)).expect(200);
      expect(seen.body.users.map((u: { id: number }) => u.id)).toEqual([created.id]);
      await request(http).get(`/api/wg/users/${created.id}`).set(bearer(reseller.key)).expect(200);
      await request(http).delete(`/api/wg/users/${created.id}`).set(bearer(reseller.key)).expect(200);
    });
  });
});
