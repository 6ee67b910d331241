import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { FakeNodeDriver } from '@wgfleet/node-sync';
import { assign, makeServer } from '../support/fleet-factory.js';
import { decodeQrPng } from '../support/qr-decode.js';
import { startReconcilerApp } from '../support/reconciler-app.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const MISSING = 987_654_321;
const CLOUDFLARE = { address: '1.1.1.1', tls_name: 'cloudflare-dns.com' };
const QUAD9 = { address: '2620:fe::fe', tls_name: 'dns.quad9.net', port: 853 };
// pngjs decodes many times slower inside Jest's sandbox than in plain node.
const RENDERING = 60_000;

// The push tests wait for the reconciler (up to 15 s on a busy machine).
jest.setTimeout(30_000);

describe('DNS-over-TLS of a server: /api/wg/servers/{id}/dns and /api/admin/servers/{id}/dns', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let admin: { id: number; key: string };

  beforeAll(async () => {
    // Many calls per key (the matrix below); the 60/min limit on these routes is in status-matrix.
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
    admin = await makeAccount(app, 'admin');
  });
  afterAll(async () => {
    await app.close();
  });

  async function tenant(options: { ipv6Subnet?: string | null } = {}) {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, { ipv6Subnet: options.ipv6Subnet });
    const assignment = await assign(app, server.serverId, account.id);
    return { ...account, server, assignment };
  }

  const dnsOf = (key: string | null, assignment: number | string) => {
    const call = request(http).get(`/api/wg/servers/${assignment}/dns`);
    return key === null ? call : call.set(bearer(key));
  };
  const putDns = (key: string, assignment: number | string, body: unknown) =>
    request(http).put(`/api/wg/servers/${assignment}/dns`).set(bearer(key)).set('content-type', 'application/json').send(JSON.stringify(body));
  const deleteDns = (key: string, assignment: number | string) => request(http).delete(`/api/wg/servers/${assignment}/dns`).set(bearer(key));

  /** What the server row holds, and how many changes (generations, audit entries) it has seen. */
  async function rowOf(serverId: number) {
    const [row] = await db.query(
      `SELECT dns_mode, dns_tls_resolvers, desired_generation::int AS generation,
              (SELECT count(*)::int FROM audit_log WHERE target_type = 'server' AND target_id = s.id) AS audits
         FROM server s WHERE id = $1`,
      [serverId],
    );
    return row as { dns_mode: string; dns_tls_resolvers: unknown; generation: number; audits: number };
  }

  describe('the customer routes', () => {
    it('GET of a new server: plain, no resolvers, clients use the server’s dns, not on the node yet', async () => {
      const t = await tenant();
      const response = await dnsOf(t.key, t.assignment).expect(200);
      expect(response.body).toEqual({ mode: 'plain', resolvers: [], client_dns: ['1.1.1.1'], provisioning: { state: 'pending', error: null } });
    });

    it('PUT canonicalises the resolvers, answers the new settings, bumps the generation once and audits it', async () => {
      const t = await tenant();
      const before = await rowOf(t.server.serverId);
      const response = await putDns(t.key, t.assignment, {
        resolvers: [
          { address: '1.1.1.1', tls_name: 'Cloudflare-DNS.com.' },
          { address: '2620:00fe:0:0::FE', tls_name: 'dns.quad9.net', port: 8853 },
        ],
      }).expect(200);
      const expected = {
        mode: 'tls',
        resolvers: [
          { address: '1.1.1.1', tls_name: 'cloudflare-dns.com', port: 853 },
          { address: '2620:fe::fe', tls_name: 'dns.quad9.net', port: 8853 },
        ],
        client_dns: ['10.8.0.1', 'fd42:66:1::1'],
        provisioning: { state: 'pending', error: null },
      };
      expect(response.body).toEqual(expected);
      expect((await dnsOf(t.key, t.assignment).expect(200)).body).toEqual(expected);
      const after = await rowOf(t.server.serverId);
      expect(after).toEqual({ dns_mode: 'tls', dns_tls_resolvers: expected.resolvers, generation: before.generation + 1, audits: before.audits + 1 });
      const [audit] = await db.query(`SELECT action, account_id::int AS account_id, details FROM audit_log WHERE target_type = 'server' AND target_id = $1 ORDER BY id DESC LIMIT 1`, [
        t.server.serverId,
      ]);
      expect(audit).toEqual({ action: 'server.dns_tls', account_id: t.id, details: { resolvers: expected.resolvers, assignment_id: t.assignment } });
    });

    it('DELETE goes back to plain: no resolvers, the server’s dns for clients, one more generation', async () => {
      const t = await tenant();
      await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE] }).expect(200);
      const before = await rowOf(t.server.serverId);
      const response = await deleteDns(t.key, t.assignment).expect(200);
      expect(response.body).toEqual({ mode: 'plain', resolvers: [], client_dns: ['1.1.1.1'], provisioning: { state: 'pending', error: null } });
      expect(await rowOf(t.server.serverId)).toEqual({ dns_mode: 'plain', dns_tls_resolvers: null, generation: before.generation + 1, audits: before.audits + 1 });
      // Again: still plain, still 200.
      expect((await deleteDns(t.key, t.assignment).expect(200)).body.mode).toBe('plain');
    });

    it('a server without an IPv6 subnet gives clients only its tunnel IPv4', async () => {
      const t = await tenant({ ipv6Subnet: null });
      const response = await putDns(t.key, t.assignment, { resolvers: [QUAD9] }).expect(200);
      expect(response.body.client_dns).toEqual(['10.8.0.1']);
    });

    it('provisioning follows the server’s sync state: active once applied, error with the reason', async () => {
      const t = await tenant();
      await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE] }).expect(200);
      await db.query('UPDATE server SET applied_generation = desired_generation, last_error = NULL WHERE id = $1', [t.server.serverId]);
      expect((await dnsOf(t.key, t.assignment).expect(200)).body.provisioning).toEqual({ state: 'active', error: null });
      await putDns(t.key, t.assignment, { resolvers: [QUAD9] }).expect(200);
      await db.query(`UPDATE server SET last_error = 'node edge-1 unreachable' WHERE id = $1`, [t.server.serverId]);
      expect((await dnsOf(t.key, t.assignment).expect(200)).body.provisioning).toEqual({ state: 'error', error: 'node edge-1 unreachable' });
    });
  });

  describe('validation', () => {
    const five = ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4', '9.9.9.9'].map((address) => ({ address, tls_name: 'dns.example.com' }));
    const cases: Array<[string, unknown, string]> = [
      ['an empty body', {}, 'resolvers'],
      ['null resolvers', { resolvers: null }, 'resolvers'],
      ['no resolvers', { resolvers: [] }, 'resolvers'],
      ['five resolvers', { resolvers: five }, 'resolvers'],
      ['resolvers as a string', { resolvers: '1.1.1.1' }, 'resolvers'],
      ['resolvers as an object', { resolvers: CLOUDFLARE }, 'resolvers'],
      ['a resolver that is a string', { resolvers: ['1.1.1.1'] }, 'resolvers[0]'],
      ['a resolver that is null', { resolvers: [null] }, 'resolvers[0]'],
      ['a resolver that is an array', { resolvers: [[CLOUDFLARE]] }, 'resolvers[0]'],
      ['a missing address', { resolvers: [{ tls_name: 'cloudflare-dns.com' }] }, 'resolvers[0].address'],
      ['an address that is a name', { resolvers: [{ ...CLOUDFLARE, address: 'one.one.one.one' }] }, 'resolvers[0].address'],
      ['a zero-padded address', { resolvers: [{ ...CLOUDFLARE, address: '001.1.1.1' }] }, 'resolvers[0].address'],
      ['an address with a shell tail', { resolvers: [{ ...CLOUDFLARE, address: '1.1.1.1;id' }] }, 'resolvers[0].address'],
      ['an address with a port', { resolvers: [{ ...CLOUDFLARE, address: '1.1.1.1@53' }] }, 'resolvers[0].address'],
      ['an IPv4-mapped address', { resolvers: [{ ...CLOUDFLARE, address: '::ffff:1.1.1.1' }] }, 'resolvers[0].address'],
      ['a loopback address', { resolvers: [{ ...CLOUDFLARE, address: '127.0.0.53' }] }, 'resolvers[0].address'],
      ['the IPv6 loopback', { resolvers: [{ ...CLOUDFLARE, address: '::1' }] }, 'resolvers[0].address'],
      ['the unspecified address', { resolvers: [{ ...CLOUDFLARE, address: '0.0.0.0' }] }, 'resolvers[0].address'],
      ['a multicast address', { resolvers: [{ ...CLOUDFLARE, address: 'ff02::fb' }] }, 'resolvers[0].address'],
      ['a link-local IPv6 address', { resolvers: [{ ...CLOUDFLARE, address: 'fe80::1' }] }, 'resolvers[0].address'],
      ['the broadcast address', { resolvers: [{ ...CLOUDFLARE, address: '255.255.255.255' }] }, 'resolvers[0].address'],
      ['a numeric address', { resolvers: [{ ...CLOUDFLARE, address: 16843009 }] }, 'resolvers[0].address'],
      ['a missing tls_name', { resolvers: [{ address: '1.1.1.1' }] }, 'resolvers[0].tls_name'],
      ['a one-label tls_name', { resolvers: [{ ...CLOUDFLARE, tls_name: 'localhost' }] }, 'resolvers[0].tls_name'],
      ['a tls_name that is an IP address', { resolvers: [{ ...CLOUDFLARE, tls_name: '1.1.1.1' }] }, 'resolvers[0].tls_name'],
      ['a tls_name with a space', { resolvers: [{ ...CLOUDFLARE, tls_name: 'cloudflare dns.com' }] }, 'resolvers[0].tls_name'],
      ['a tls_name with a #', { resolvers: [{ ...CLOUDFLARE, tls_name: 'cloudflare-dns.com#x' }] }, 'resolvers[0].tls_name'],
      ['a tls_name with a quote', { resolvers: [{ ...CLOUDFLARE, tls_name: 'cloudflare-dns.com"' }] }, 'resolvers[0].tls_name'],
      [
        'a tls_name with a line break and a directive',
        { resolvers: [{ ...CLOUDFLARE, tls_name: 'cloudflare-dns.com\n  forward-addr: 8.8.8.8@53' }] },
        'resolvers[0].tls_name',
      ],
      ['a wildcard tls_name', { resolvers: [{ ...CLOUDFLARE, tls_name: '*.example.com' }] }, 'resolvers[0].tls_name'],
      ['a 300-character tls_name', { resolvers: [{ ...CLOUDFLARE, tls_name: `${'a.'.repeat(149)}com` }] }, 'resolvers[0].tls_name'],
      ['a numeric tls_name', { resolvers: [{ ...CLOUDFLARE, tls_name: 853 }] }, 'resolvers[0].tls_name'],
      ['port 0', { resolvers: [{ ...CLOUDFLARE, port: 0 }] }, 'resolvers[0].port'],
      ['port 65536', { resolvers: [{ ...CLOUDFLARE, port: 65536 }] }, 'resolvers[0].port'],
      ['port as text', { resolvers: [{ ...CLOUDFLARE, port: '853' }] }, 'resolvers[0].port'],
      ['a fractional port', { resolvers: [{ ...CLOUDFLARE, port: 853.5 }] }, 'resolvers[0].port'],
      ['a null port', { resolvers: [{ ...CLOUDFLARE, port: null }] }, 'resolvers[0].port'],
      ['an unknown resolver field', { resolvers: [{ ...CLOUDFLARE, insecure: true }] }, 'resolvers[0].insecure'],
      ['an unknown top-level field', { resolvers: [CLOUDFLARE], mode: 'plain' }, 'mode'],
      ['a bad second resolver', { resolvers: [CLOUDFLARE, { ...QUAD9, tls_name: 'quad9' }] }, 'resolvers[1].tls_name'],
      ['the same resolver twice', { resolvers: [CLOUDFLARE, { ...CLOUDFLARE, port: 853, tls_name: 'one.one.one.one' }] }, 'resolvers[1]'],
      ['the same IPv6 resolver in two spellings', { resolvers: [QUAD9, { ...QUAD9, address: '2620:fe:0::fe' }] }, 'resolvers[1]'],
    ];

    it.each(cases)('%s: 422 naming the field, nothing written', async (_what, body, field) => {
      const t = await tenant();
      const before = await rowOf(t.server.serverId);
      const response = await putDns(t.key, t.assignment, body).expect(422);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(response.body.error).toContain(field);
      expect(await rowOf(t.server.serverId)).toEqual(before);
    });

    it('names every bad field of every resolver at once', async () => {
      const t = await tenant();
      const response = await putDns(t.key, t.assignment, {
        resolvers: [{ address: 'x', tls_name: 'y', port: 0 }, CLOUDFLARE, { address: '9.9.9.9', tls_name: 'dns.quad9.net', extra: 1 }],
      }).expect(422);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual([
        'resolvers[0].address',
        'resolvers[0].tls_name',
        'resolvers[0].port',
        'resolvers[2].extra',
      ]);
    });

    it('a refused PUT leaves resolvers set before exactly as they were (no partial write)', async () => {
      const t = await tenant();
      await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE, QUAD9] }).expect(200);
      const before = await rowOf(t.server.serverId);
      await putDns(t.key, t.assignment, { resolvers: [{ address: '8.8.8.8', tls_name: 'dns.google' }, { address: '8.8.4.4', tls_name: 'bad name' }] }).expect(422);
      expect(await rowOf(t.server.serverId)).toEqual(before);
      expect((await dnsOf(t.key, t.assignment).expect(200)).body.resolvers).toEqual([{ ...CLOUDFLARE, port: 853 }, QUAD9]);
    });

    it('answers 400 for malformed JSON and 415 for a body that is not JSON', async () => {
      const t = await tenant();
      const malformed = await request(http).put(`/api/wg/servers/${t.assignment}/dns`).set(bearer(t.key)).set('content-type', 'application/json').send('{"resolvers": [');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('malformed_json');
      const text = await request(http).put(`/api/wg/servers/${t.assignment}/dns`).set(bearer(t.key)).set('content-type', 'text/plain').send('resolvers=1.1.1.1');
      expect(text.status).toBe(415);
      expect((await rowOf(t.server.serverId)).dns_mode).toBe('plain');
    });
  });

  describe('shared servers', () => {
    async function sharedServer() {
      const first = await makeAccount(app, 'customer');
      const second = await makeAccount(app, 'customer');
      const server = await makeServer(app);
      return { server, first: { ...first, assignment: await assign(app, server.serverId, first.id) }, second: { ...second, assignment: await assign(app, server.serverId, second.id) } };
    }

    it('a customer gets 409 server_shared on PUT and DELETE, told that an admin sets it; nothing changes; GET still answers', async () => {
      const { server, first } = await sharedServer();
      const before = await rowOf(server.serverId);
      for (const response of [await putDns(first.key, first.assignment, { resolvers: [CLOUDFLARE] }), await deleteDns(first.key, first.assignment)]) {
        expect(response.status).toBe(409);
        expect(response.body).toMatchObject({ status: 409, code: 'server_shared' });
        expect(response.body.error).toContain('admin');
        expect(response.body.error).toContain('/api/admin/servers/{id}/dns');
      }
      expect(await rowOf(server.serverId)).toEqual(before);
      expect((await dnsOf(first.key, first.assignment).expect(200)).body.mode).toBe('plain');
    });

    it('the admin sets it for a shared server; every account sees it; a customer still cannot undo it', async () => {
      const { server, first, second } = await sharedServer();
      const set = await request(http).put(`/api/admin/servers/${server.serverId}/dns`).set(bearer(admin.key)).send({ resolvers: [CLOUDFLARE] }).expect(200);
      expect(set.body).toMatchObject({ mode: 'tls', resolvers: [{ ...CLOUDFLARE, port: 853 }], client_dns: ['10.8.0.1', 'fd42:66:1::1'] });
      for (const customer of [first, second]) expect((await dnsOf(customer.key, customer.assignment).expect(200)).body).toEqual(set.body);
      expect((await deleteDns(second.key, second.assignment).expect(409)).body.code).toBe('server_shared');
      expect((await rowOf(server.serverId)).dns_mode).toBe('tls');
    });

    it('a reseller’s delegation to its customer makes the server shared (two accounts hold it)', async () => {
      const reseller = await makeAccount(app, 'reseller');
      const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
      const server = await makeServer(app);
      const parent = await assign(app, server.serverId, reseller.id, { maxUsers: 10, maxPortForwards: 10 });
      const child = await assign(app, server.serverId, customer.id, { maxUsers: 1, maxPortForwards: 1, parentAssignmentId: parent });
      expect((await putDns(reseller.key, parent, { resolvers: [CLOUDFLARE] }).expect(409)).body.code).toBe('server_shared');
      expect((await putDns(customer.key, child, { resolvers: [CLOUDFLARE] }).expect(409)).body.code).toBe('server_shared');
    });
  });

  describe('the admin routes ({id} is the server)', () => {
    const adminDns = (method: 'get' | 'put' | 'delete', id: number | string, key = admin.key) => request(http)[method](`/api/admin/servers/${id}/dns`).set(bearer(key));

    it('GET, PUT and DELETE any server, with the customer routes’ shape, audited as the admin', async () => {
      const t = await tenant();
      expect((await adminDns('get', t.server.serverId).expect(200)).body).toEqual((await dnsOf(t.key, t.assignment).expect(200)).body);
      const set = await adminDns('put', t.server.serverId).send({ resolvers: [QUAD9, CLOUDFLARE] }).expect(200);
      expect(set.body.resolvers).toEqual([QUAD9, { ...CLOUDFLARE, port: 853 }]);
      expect((await dnsOf(t.key, t.assignment).expect(200)).body).toEqual(set.body);
      const [audit] = await db.query(`SELECT action, account_id::int AS account_id FROM audit_log WHERE target_type = 'server' AND target_id = $1 ORDER BY id DESC LIMIT 1`, [t.server.serverId]);
      expect(audit).toEqual({ action: 'server.dns_tls', account_id: admin.id });
      const reset = await adminDns('delete', t.server.serverId).expect(200);
      expect(reset.body).toMatchObject({ mode: 'plain', resolvers: [], client_dns: ['1.1.1.1'] });
    });

    it('validates as the customer route does, 404 for a missing server, 403 for a customer key', async () => {
      const t = await tenant();
      const bad = await adminDns('put', t.server.serverId).send({ resolvers: [{ address: '1.1.1.1', tls_name: 'x' }] }).expect(422);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'resolvers[0].tls_name' })]);
      for (const method of ['get', 'put', 'delete'] as const) {
        const missing = await adminDns(method, MISSING).send(method === 'put' ? { resolvers: [CLOUDFLARE] } : undefined);
        expect({ method, status: missing.status, code: missing.body.code }).toEqual({ method, status: 404, code: 'not_found' });
        const customer = await adminDns(method, t.server.serverId, t.key).send(method === 'put' ? { resolvers: [CLOUDFLARE] } : undefined);
        expect({ method, status: customer.status }).toEqual({ method, status: 403 });
      }
      expect((await rowOf(t.server.serverId)).dns_mode).toBe('plain');
    });
  });

  describe('tenancy', () => {
    it('401 without a key on every DNS route, customer and admin', async () => {
      const t = await tenant();
      const calls = [
        request(http).get(`/api/wg/servers/${t.assignment}/dns`),
        request(http).put(`/api/wg/servers/${t.assignment}/dns`).send({ resolvers: [CLOUDFLARE] }),
        request(http).delete(`/api/wg/servers/${t.assignment}/dns`),
        request(http).get(`/api/admin/servers/${t.server.serverId}/dns`),
        request(http).put(`/api/admin/servers/${t.server.serverId}/dns`).send({ resolvers: [CLOUDFLARE] }),
        request(http).delete(`/api/admin/servers/${t.server.serverId}/dns`),
      ];
      for (const call of calls) {
        const response = await call;
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('unauthenticated');
      }
      expect((await rowOf(t.server.serverId)).dns_mode).toBe('plain');
    });

    it('403 on another account’s assignment (leaking nothing, changing nothing), 404 on a missing one', async () => {
      const mine = await tenant();
      const theirs = await tenant();
      await putDns(theirs.key, theirs.assignment, { resolvers: [QUAD9] }).expect(200);
      const before = await rowOf(theirs.server.serverId);
      for (const response of [
        await dnsOf(mine.key, theirs.assignment),
        await putDns(mine.key, theirs.assignment, { resolvers: [CLOUDFLARE] }),
        await deleteDns(mine.key, theirs.assignment),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('forbidden');
        expect(response.text).not.toContain('quad9');
      }
      expect(await rowOf(theirs.server.serverId)).toEqual(before);
      for (const response of [await dnsOf(mine.key, MISSING), await putDns(mine.key, MISSING, { resolvers: [CLOUDFLARE] }), await deleteDns(mine.key, MISSING)]) {
        expect(response.status).toBe(404);
        expect(response.body.code).toBe('not_found');
      }
    });

    it('a reseller sets the DNS of a server only its customer holds', async () => {
      const reseller = await makeAccount(app, 'reseller');
      const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
      const server = await makeServer(app);
      const assignment = await assign(app, server.serverId, customer.id);
      expect((await putDns(reseller.key, assignment, { resolvers: [CLOUDFLARE] }).expect(200)).body.mode).toBe('tls');
      expect((await dnsOf(customer.key, assignment).expect(200)).body.mode).toBe('tls');
    });
  });

  describe('client configs follow the mode', () => {
    const createUser = async (key: string, assignment: number, body: object) =>
      (await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key)).send(body).expect(201)).body as { id: number; config: string };
    const configOf = async (key: string, user: number) => (await request(http).get(`/api/wg/users/${user}`).set(bearer(key)).expect(200)).body.config as string;
    const dnsLine = (config: string) => /^DNS = (.*)$/m.exec(config)?.[1] ?? null;

    it('every user’s config, download and server listing says the server’s tunnel addresses under tls, its own DNS again after DELETE', async () => {
      const t = await tenant();
      const plain = await createUser(t.key, t.assignment, { client_name: 'laptop' });
      const own = await createUser(t.key, t.assignment, { client_name: 'own-dns', dns: ['9.9.9.9'] });
      expect(dnsLine(plain.config)).toBe('1.1.1.1');
      expect(dnsLine(own.config)).toBe('9.9.9.9');

      const set = await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE] }).expect(200);
      expect(set.body.client_dns).toEqual(['10.8.0.1', 'fd42:66:1::1']);
      const created = await createUser(t.key, t.assignment, { client_name: 'phone', dns: ['8.8.8.8'] });
      for (const user of [plain, own, created]) {
        const config = await configOf(t.key, user.id);
        expect(dnsLine(config)).toBe(set.body.client_dns.join(', '));
        const download = await request(http).get(`/api/wg/users/${user.id}/config.conf`).set(bearer(t.key)).expect(200);
        expect(download.text).toBe(config);
      }
      expect(dnsLine(created.config)).toBe('10.8.0.1, fd42:66:1::1');
      const listed = (await request(http).get('/api/wg/servers').set(bearer(t.key)).expect(200)).body.servers;
      expect(listed.find((server: { assignment_id: number }) => server.assignment_id === t.assignment).dns).toEqual(set.body.client_dns);

      const reset = await deleteDns(t.key, t.assignment).expect(200);
      expect(reset.body.client_dns).toEqual(['1.1.1.1']);
      expect(dnsLine(await configOf(t.key, plain.id))).toBe('1.1.1.1');
      expect(dnsLine(await configOf(t.key, own.id))).toBe('9.9.9.9');
      expect(dnsLine(await configOf(t.key, created.id))).toBe('8.8.8.8');
    });

    it('the WGDashboard API’s peer file of the same user follows the mode too', async () => {
      const t = await tenant();
      const user = await createUser(t.key, t.assignment, { client_name: 'dashboard', dns: ['9.9.9.9'] });
      const publicKey = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200)).body.public_key as string;
      const wgdKey = (await request(http).post(`/api/admin/nodes/${t.server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;
      const peerFile = async () => {
        const response = await request(http).get(`/api/downloadPeer/wg0?id=${encodeURIComponent(publicKey)}`).set('wg-dashboard-apikey', wgdKey).expect(200);
        expect(response.body.status).toBe(true);
        return response.body.data.file as string;
      };
      expect(dnsLine(await peerFile())).toBe('9.9.9.9');
      await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE] }).expect(200);
      expect(dnsLine(await peerFile())).toBe('10.8.0.1,fd42:66:1::1');
      await deleteDns(t.key, t.assignment).expect(200);
      expect(dnsLine(await peerFile())).toBe('9.9.9.9');
    });

    it(
      'the QR code decodes to the config with the tunnel DNS',
      async () => {
        const t = await tenant({ ipv6Subnet: null });
        const user = await createUser(t.key, t.assignment, { client_name: 'tablet' });
        await putDns(t.key, t.assignment, { resolvers: [QUAD9] }).expect(200);
        const config = await configOf(t.key, user.id);
        expect(dnsLine(config)).toBe('10.8.0.1');
        const png = await request(http)
          .get(`/api/wg/users/${user.id}/config.png`)
          .set(bearer(t.key))
          .buffer(true)
          .parse((response, done) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => done(null, Buffer.concat(chunks)));
          })
          .expect(200);
        expect(decodeQrPng(png.body as Buffer)).toBe(config);
      },
      RENDERING,
    );
  });

  describe('the push (reconciler with a fake node)', () => {
    const fake = new FakeNodeDriver();
    let reconciler: TestingModule;
    const ours = new Set<number>();

    beforeAll(async () => {
      reconciler = await startReconcilerApp(fake, {
        intervalMs: 60_000,
        pollIntervalMs: 60_000,
        backoff: { initialMs: 50, maxMs: 200 },
        busyRetryMs: 50,
        scope: (serverId) => ours.has(serverId),
      });
    });
    afterAll(async () => {
      await reconciler?.close();
    });

    const onNode = (nodeId: number) => fake.nodeState.get(`${nodeId}/wg0`);

    it('pushes the resolver config with the resolvers when tls, none after DELETE; provisioning turns active', async () => {
      const t = await tenant();
      ours.add(t.server.serverId);
      await putDns(t.key, t.assignment, { resolvers: [CLOUDFLARE, { address: '2606:4700:4700::1111', tls_name: 'cloudflare-dns.com', port: 8853 }] }).expect(200);
      const config = await waitFor('the resolver config on the node', () => onNode(t.server.nodeId)?.dnsForwarderConfig, 15_000);
      expect(config).toContain('  forward-tls-upstream: yes\n');
      expect(config).toContain('  forward-addr: 1.1.1.1@853#cloudflare-dns.com\n');
      expect(config).toContain('  forward-addr: 2606:4700:4700::1111@8853#cloudflare-dns.com\n');
      expect(config).toContain('  interface: 10.8.0.1@53\n');
      expect(config).toContain('  interface: fd42:66:1::1@53\n');
      expect(config).toContain('  access-control: 10.8.0.0/24 allow\n');
      expect(config).toContain('  access-control: fd42:66:1::/64 allow\n');
      expect(config).toContain('  pidfile: "/run/wgfleet/unbound-wg0.pid"\n');
      expect(config.match(/forward-addr:/g)).toHaveLength(2);
      await waitFor('provisioning active', async () => (await dnsOf(t.key, t.assignment).expect(200)).body.provisioning.state === 'active', 15_000);

      await deleteDns(t.key, t.assignment).expect(200);
      await waitFor('no resolver config on the node', () => onNode(t.server.nodeId)?.dnsForwarderConfig === null, 15_000);
      expect(onNode(t.server.nodeId)?.peersConfig).toContain('[Interface]');
    });

    it('a server without an IPv6 subnet gets a resolver on its tunnel IPv4 only', async () => {
      const t = await tenant({ ipv6Subnet: null });
      ours.add(t.server.serverId);
      await putDns(t.key, t.assignment, { resolvers: [QUAD9] }).expect(200);
      const config = await waitFor('the resolver config on the node', () => onNode(t.server.nodeId)?.dnsForwarderConfig, 15_000);
      expect(config.match(/^ {2}interface: .*$/gm)).toEqual(['  interface: 10.8.0.1@53']);
      expect(config.match(/^ {2}access-control: .* allow$/gm)).toEqual(['  access-control: 10.8.0.0/24 allow']);
      expect(config).toContain('  forward-addr: 2620:fe::fe@853#dns.quad9.net\n');
    });
  });
});
