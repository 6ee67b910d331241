import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { makeUser } from '../support/user-factory.js';

describe('port forwards', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;

  const post = (key: string, userId: number, body: unknown) =>
    request(http).post(`/api/wg/users/${userId}/port-forwards`).set(bearer(key)).send(body as object);
  const list = (key: string, userId: number, query = '') => request(http).get(`/api/wg/users/${userId}/port-forwards${query}`).set(bearer(key));
  const remove = (key: string, id: number) => request(http).delete(`/api/wg/port-forwards/${id}`).set(bearer(key));

  /** A customer with a server (its own node) and one user on it. */
  async function tenant(options: Parameters<typeof makeServer>[1] = {}, quotas: Parameters<typeof assign>[3] = {}) {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app, options);
    const assignment = await assign(app, server.serverId, account.id, quotas);
    const user = await makeUser(app, assignment);
    return { ...account, server, assignment, user: user.id };
  }

  let siblingCounter = 0;
  /** A second server on an existing node (another interface and listen port), as the admin API would add it. */
  async function serverOnNode(node: TestServer, listenPort: number, forwardRange: [number, number] = [1, 65535]): Promise<number> {
    const keys = generateKeyPair();
    const [row] = await db.query(
      `INSERT INTO server (node_id, name, interface, listen_port, private_key_enc, public_key, ipv4_subnet, forward_port_min, forward_port_max)
       VALUES ($1, $2, $3, $4, $5, $6, '10.9.0.0/24', $7, $8) RETURNING id`,
      [
        node.nodeId,
        `sibling-${++siblingCounter}`,
        `wg${siblingCounter}`,
        listenPort,
        app.get(SecretBox).seal(keys.privateKey, `server.private_key:${keys.publicKey}`),
        keys.publicKey,
        forwardRange[0],
        forwardRange[1],
      ],
    );
    return Number(row.id);
  }

  const generation = async (serverId: number) =>
    Number((await db.query('SELECT desired_generation FROM server WHERE id = $1', [serverId]))[0].desired_generation);

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
  });
  afterAll(async () => {
    await app.close();
  });

  it('documents the three routes in the OpenAPI document, with the create body and the Idempotency-Key header', async () => {
    const { paths } = (await request(http).get('/docs/openapi.json').expect(200)).body;
    expect(Object.keys(paths['/api/wg/users/{id}/port-forwards']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/wg/port-forwards/{id}'])).toEqual(['delete']);
    const create = paths['/api/wg/users/{id}/port-forwards'].post;
    expect(create.tags).toEqual(['port-forwards']);
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
  });

  it("creates the seed's example (443 → 443 tcp, HTTPS) on a default-range server, in the contract's shape", async () => {
    const t = await tenant();
    const before = await generation(t.server.serverId);
    const response = await post(t.key, t.user, { external_port: 443, internal_port: 443, protocol: 'tcp', comment: 'HTTPS' }).expect(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      user_id: t.user,
      assignment_id: t.assignment,
      public_ip: t.server.publicIpv4,
      external_port: 443,
      internal_port: 443,
      protocol: 'tcp',
      comment: 'HTTPS',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      provisioning: { state: 'pending', error: null },
    });
    expect(await generation(t.server.serverId)).toBe(before + 1);
    const listed = await list(t.key, t.user).expect(200);
    expect(listed.body).toEqual({ port_forwards: [response.body], next_cursor: null });
    const [audit] = await db.query(`SELECT account_id, action FROM audit_log WHERE target_type = 'port_forward' AND target_id = $1`, [
      response.body.id,
    ]);
    expect(audit).toEqual({ account_id: String(t.id), action: 'port_forward.create' });
  });

  it('defaults protocol to tcp, internal_port to external_port and comment to empty', async () => {
    const t = await tenant();
    const response = await post(t.key, t.user, { external_port: 8080 }).expect(201);
    expect(response.body).toMatchObject({ external_port: 8080, internal_port: 8080, protocol: 'tcp', comment: '' });
    const other = await post(t.key, t.user, { external_port: 8081, internal_port: 80, protocol: 'both' }).expect(201);
    expect(other.body).toMatchObject({ external_port: 8081, internal_port: 80, protocol: 'both' });
  });

  it('picks the lowest free port of the range when external_port is omitted, skipping reserved ones, and says when the range is full', async () => {
    // Range 22-27 on a local node: 22 is its SSH port, 24 the server's listen port, 25 on its reserved list.
    const t = await tenant({ forwardRange: [22, 27], listenPort: 24, reservedPorts: [25] });
    const picked: number[] = [];
    for (let i = 0; i < 3; i++) picked.push((await post(t.key, t.user, { protocol: 'tcp' }).expect(201)).body.external_port);
    expect(picked).toEqual([23, 26, 27]);
    const full = await post(t.key, t.user, { protocol: 'tcp' }).expect(409);
    expect(full.body.code).toBe('port_in_use');
    expect(full.body.error).toContain('22-27');
    // udp is a separate space: 23/udp is still free.
    expect((await post(t.key, t.user, { protocol: 'udp' }).expect(201)).body.external_port).toBe(23);
    // "both" needs tcp and udp free: nothing left.
    expect((await post(t.key, t.user, { protocol: 'both' }).expect(409)).body.code).toBe('port_in_use');
  });

  it('auto-picks past ports taken by another server of the same node', async () => {
    const t = await tenant({ forwardRange: [30000, 30010] });
    const secondServer = await serverOnNode(t.server, 51821, [30000, 30010]);
    const neighbour = await makeAccount(app, 'customer');
    const neighbourUser = await makeUser(app, await assign(app, secondServer, neighbour.id));
    await post(neighbour.key, neighbourUser.id, { external_port: 30000, protocol: 'tcp' }).expect(201);
    expect((await post(t.key, t.user, {}).expect(201)).body.external_port).toBe(30001);
  });

  it('keeps tcp and udp apart, and makes "both" collide with either', async () => {
    const t = await tenant();
    await post(t.key, t.user, { external_port: 5000, protocol: 'tcp' }).expect(201);
    await post(t.key, t.user, { external_port: 5000, protocol: 'udp' }).expect(201);

    const tcpFirst = (await post(t.key, t.user, { external_port: 5001, protocol: 'tcp' }).expect(201)).body.id;
    const both = await post(t.key, t.user, { external_port: 5001, protocol: 'both' }).expect(409);
    expect(both.body.code).toBe('port_in_use');
    // The caller's own forward is named, so it knows what to delete.
    expect(both.body.error).toContain(`port forward ${tcpFirst}`);

    await post(t.key, t.user, { external_port: 5002, protocol: 'both' }).expect(201);
    expect((await post(t.key, t.user, { external_port: 5002, protocol: 'udp' }).expect(409)).body.code).toBe('port_in_use');
    expect((await post(t.key, t.user, { external_port: 5002, protocol: 'tcp' }).expect(409)).body.code).toBe('port_in_use');
  });

  it("409 for a port another tenant forwards on another server of the same node, without revealing that tenant's forward", async () => {
    const t = await tenant();
    const secondServer = await serverOnNode(t.server, 51822);
    const neighbour = await makeAccount(app, 'customer', { name: 'Neighbour Corp' });
    const neighbourUser = await makeUser(app, await assign(app, secondServer, neighbour.id), { clientName: 'neighbour-web' });
    const theirs = (await post(neighbour.key, neighbourUser.id, { external_port: 6000, protocol: 'udp', comment: 'secret-game' }).expect(201)).body;
    expect(theirs.public_ip).toBe(t.server.publicIpv4);

    const response = await post(t.key, t.user, { external_port: 6000, protocol: 'both' }).expect(409);
    expect(response.body.code).toBe('port_in_use');
    expect(response.body).not.toHaveProperty('conflicting_port_forward_id');
    expect(response.text).not.toContain(String(theirs.id));
    expect(response.text).not.toMatch(/neighbour|secret-game/i);
    // The other protocol is free for us.
    await post(t.key, t.user, { external_port: 6000, protocol: 'tcp' }).expect(201);
  });

  it.each([
    ['the SSH port of a local node (22)', 22, /SSH port/],
    ["this server's WireGuard listen port", 51820, /listen port/],
    ["another server's listen port on the same node", 51823, /listen port/],
    ["a port on the server's reserved list", 8443, /reserved list/],
  ])('422 port_reserved for %s', async (_what, port, message) => {
    const t = await tenant({ reservedPorts: [8443, 9000] });
    await serverOnNode(t.server, 51823);
    for (const protocol of ['tcp', 'udp', 'both']) {
      const response = await post(t.key, t.user, { external_port: port, protocol }).expect(422);
      expect(response.body.code).toBe('port_reserved');
      expect(response.body.error).toMatch(message);
    }
  });

  it('reserves the SSH port an ssh node actually uses', async () => {
    const t = await tenant();
    await db.query(
      `UPDATE node SET transport = 'ssh', ssh_host = 'node.example', ssh_port = 2222, ssh_username = 'wgfleet',
              ssh_private_key_enc = '\\x00', ssh_host_key = 'ssh-ed25519 AAAA' WHERE id = $1`,
      [t.server.nodeId],
    );
    expect((await post(t.key, t.user, { external_port: 2222 }).expect(422)).body.code).toBe('port_reserved');
    await post(t.key, t.user, { external_port: 22 }).expect(201);
  });

  it('422 port_out_of_range outside the forward range, with the range in the message', async () => {
    const t = await tenant({ forwardRange: [20000, 29999] });
    for (const port of [443, 19999, 30000]) {
      const response = await post(t.key, t.user, { external_port: port }).expect(422);
      expect(response.body.code).toBe('port_out_of_range');
      expect(response.body.error).toContain('20000-29999');
    }
    await post(t.key, t.user, { external_port: 29999, internal_port: 443 }).expect(201);
  });

  describe('hostile input (security.md §8 rows 16, 22, 23, 29, 30)', () => {
    let t: Awaited<ReturnType<typeof tenant>>;
    beforeAll(async () => {
      t = await tenant();
    });

    it.each([
      ['external_port', { external_port: '443' }],
      ['external_port', { external_port: 443.5 }],
      ['external_port', { external_port: true }],
      ['external_port', { external_port: null }],
      ['external_port', { external_port: [443] }],
      ['external_port', { external_port: { v: 443 } }],
      ['external_port', { external_port: -1 }],
      ['external_port', { external_port: 0 }],
      ['external_port', { external_port: 65536 }],
      ['external_port', { external_port: 70000 }],
      ['internal_port', { external_port: 7000, internal_port: 0 }],
      ['internal_port', { external_port: 7000, internal_port: 65536 }],
      ['internal_port', { external_port: 7000, internal_port: '80' }],
      ['internal_port', { external_port: 7000, internal_port: null }],
      ['protocol', { external_port: 7000, protocol: 'TCP' }],
      ['protocol', { external_port: 7000, protocol: 'icmp' }],
      ['protocol', { external_port: 7000, protocol: 'tcp;id' }],
      ['protocol', { external_port: 7000, protocol: '' }],
      ['protocol', { external_port: 7000, protocol: null }],
      ['protocol', { external_port: 7000, protocol: ['tcp'] }],
      ['comment', { external_port: 7000, comment: 'x'.repeat(101) }],
      ['comment', { external_port: 7000, comment: 'line\nbreak' }],
      ['comment', { external_port: 7000, comment: 'x\r\n-A FORWARD -j ACCEPT' }],
      ['comment', { external_port: 7000, comment: 'evil\u202Eexe.txt' }],
      ['comment', { external_port: 7000, comment: 'zero\u200Bwidth' }],
      ['comment', { external_port: 7000, comment: 'nul\u0000' }],
      ['comment', { external_port: 7000, comment: 'lone \uD800 surrogate' }],
      ['comment', { external_port: 7000, comment: 42 }],
      ['internal_ip', { external_port: 7000, internal_ip: '10.8.0.99' }],
      ['user_id', { external_port: 7000, user_id: 1 }],
    ])('422 naming %s for %j', async (field, body) => {
      const response = await post(t.key, t.user, body).expect(422);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('422 for a 10 000-character comment', async () => {
      const response = await post(t.key, t.user, { external_port: 7000, comment: 'x'.repeat(10_000) }).expect(422);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'comment' })]);
    });

    it('created nothing for all of those', async () => {
      expect((await list(t.key, t.user).expect(200)).body.port_forwards).toEqual([]);
    });

    it('stores a comment with quotes and option-like text verbatim, and counts length in code points', async () => {
      const quoted = '"; --modprobe=/bin/sh \'x\' <b>';
      expect((await post(t.key, t.user, { external_port: 7001, comment: quoted }).expect(201)).body.comment).toBe(quoted);
      const emoji = '🔒'.repeat(100);
      expect((await post(t.key, t.user, { external_port: 7002, comment: emoji }).expect(201)).body.comment).toBe(emoji);
      expect((await post(t.key, t.user, { external_port: 7003, comment: '🔒'.repeat(101) }).expect(422)).body.code).toBe('validation_failed');
    });

    it('accepts 443.0 and 4.43e2 as the integer 443 (JSON.parse gives the same number)', async () => {
      const response = await request(http)
        .post(`/api/wg/users/${t.user}/port-forwards`)
        .set(bearer(t.key))
        .set('content-type', 'application/json')
        .send('{"external_port": 4.43e2, "internal_port": 443.0}')
        .expect(201);
      expect(response.body).toMatchObject({ external_port: 443, internal_port: 443 });
    });
  });

  it('replays a create retried with the same Idempotency-Key instead of forwarding a second port', async () => {
    const t = await tenant({ forwardRange: [40000, 40010] });
    const first = await post(t.key, t.user, { protocol: 'udp' }).set('idempotency-key', 'pf-retry-0001').expect(201);
    const again = await post(t.key, t.user, { protocol: 'udp' }).set('idempotency-key', 'pf-retry-0001').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await list(t.key, t.user).expect(200)).body.port_forwards).toHaveLength(1);
    const reused = await post(t.key, t.user, { protocol: 'tcp' }).set('idempotency-key', 'pf-retry-0001').expect(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('lets exactly one of two parallel creates of the same port win, on one server and across servers of one node', async () => {
    const t = await tenant();
    const secondServer = await serverOnNode(t.server, 51824);
    const neighbour = await makeAccount(app, 'customer');
    const neighbourUser = await makeUser(app, await assign(app, secondServer, neighbour.id));
    for (const [port, callers] of [
      [9100, [[t.key, t.user], [t.key, t.user]]],
      [9101, [[t.key, t.user], [neighbour.key, neighbourUser.id]]],
    ] as Array<[number, Array<[string, number]>]>) {
      for (let round = 0; round < 3; round++) {
        const externalPort = port + round * 10;
        const responses = await Promise.all(callers.map(([key, user]) => post(key, user, { external_port: externalPort, protocol: 'tcp' })));
        expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
        expect(responses.find((r) => r.status === 409)!.body.code).toBe('port_in_use');
        const [{ claims }] = await db.query(`SELECT count(*)::int AS claims FROM port_claim WHERE public_ip = $1 AND port = $2`, [
          t.server.publicIpv4,
          externalPort,
        ]);
        expect(claims).toBe(1);
      }
    }
  });

  it('422 quota_exceeded at max_port_forwards, counting what is delegated to customers', async () => {
    const t = await tenant({}, { maxPortForwards: 2 });
    await post(t.key, t.user, { external_port: 10001 }).expect(201);
    await post(t.key, t.user, { external_port: 10002 }).expect(201);
    const over = await post(t.key, t.user, { external_port: 10003 }).expect(422);
    expect(over.body.code).toBe('quota_exceeded');
    expect(over.body.error).toContain('2 port forwards');

    const reseller = await makeAccount(app, 'reseller');
    const server = await makeServer(app);
    const parent = await assign(app, server.serverId, reseller.id, { maxPortForwards: 3 });
    const customer = await makeAccount(app, 'customer', { parentId: reseller.id });
    await assign(app, server.serverId, customer.id, { maxPortForwards: 2, parentAssignmentId: parent });
    const resellerUser = await makeUser(app, parent);
    await post(reseller.key, resellerUser.id, { external_port: 10001 }).expect(201);
    const delegated = await post(reseller.key, resellerUser.id, { external_port: 10002 }).expect(422);
    expect(delegated.body.code).toBe('quota_exceeded');
    expect(delegated.body.error).toContain('delegated');
  });

  describe('tenants', () => {
    let reseller: Awaited<ReturnType<typeof makeAccount>>;
    let otherReseller: Awaited<ReturnType<typeof makeAccount>>;
    let customer: Awaited<ReturnType<typeof tenant>>;
    let sibling: Awaited<ReturnType<typeof tenant>>;
    let stranger: Awaited<ReturnType<typeof tenant>>;
    let resellerUser: number;
    const forwardOf: Record<string, number> = {};

    beforeAll(async () => {
      reseller = await makeAccount(app, 'reseller');
      otherReseller = await makeAccount(app, 'reseller');
      const server = await makeServer(app);
      const parent = await assign(app, server.serverId, reseller.id);
      resellerUser = (await makeUser(app, parent, { clientName: 'reseller-own' })).id;
      const child = async (name: string) => {
        const account = await makeAccount(app, 'customer', { parentId: reseller.id, name });
        const assignment = await assign(app, server.serverId, account.id, { parentAssignmentId: parent });
        const user = (await makeUser(app, assignment, { clientName: name })).id;
        return { ...account, server, assignment, user };
      };
      customer = await child('customer-a');
      sibling = await child('sibling-b');
      stranger = await tenant();
      let port = 11000;
      for (const [name, who] of [['customer', customer], ['sibling', sibling], ['stranger', stranger]] as const) {
        forwardOf[name] = (await post(who.key, who.user, { external_port: port++, comment: `${name}-secret` }).expect(201)).body.id;
      }
      forwardOf.reseller = (await post(reseller.key, resellerUser, { external_port: port++, comment: 'reseller-secret' }).expect(201)).body.id;
    });

    it('401 on every route without a key or with a malformed one', async () => {
      for (const headers of [{}, { authorization: 'Bearer wg_nope' }]) {
        expect((await request(http).get(`/api/wg/users/${customer.user}/port-forwards`).set(headers)).status).toBe(401);
        expect((await request(http).post(`/api/wg/users/${customer.user}/port-forwards`).set(headers).send({})).status).toBe(401);
        expect((await request(http).delete(`/api/wg/port-forwards/${forwardOf.customer}`).set(headers)).status).toBe(401);
      }
    });

    it('404 for a missing user or forward, 422 for a malformed id', async () => {
      expect((await list(customer.key, 987654321).expect(404)).body.code).toBe('not_found');
      expect((await post(customer.key, 987654321, { external_port: 12000 }).expect(404)).body.code).toBe('not_found');
      expect((await remove(customer.key, 987654321).expect(404)).body.code).toBe('not_found');
      await request(http).get('/api/wg/users/abc/port-forwards').set(bearer(customer.key)).expect(422);
      await request(http).delete('/api/wg/port-forwards/-1').set(bearer(customer.key)).expect(422);
    });

    it.each([
      ['a sibling customer', () => sibling.key, () => customer.user, () => forwardOf.customer],
      ['another tenant', () => stranger.key, () => customer.user, () => forwardOf.customer],
      ['another reseller', () => otherReseller.key, () => customer.user, () => forwardOf.customer],
      ["a customer on its reseller's own user", () => customer.key, () => resellerUser, () => forwardOf.reseller],
      ['a reseller on a stranger', () => reseller.key, () => stranger.user, () => forwardOf.stranger],
    ])('403 for %s on list, create and delete, leaking nothing and changing nothing', async (_who, key, user, forward) => {
      const serverGeneration = await generation(customer.server.serverId);
      for (const response of [
        await list(key(), user()),
        await post(key(), user(), { external_port: 12001 }),
        await remove(key(), forward()),
      ]) {
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('forbidden');
        expect(response.text).not.toMatch(/secret|customer-a|sibling-b|reseller-own|198\.51/);
      }
      expect(await generation(customer.server.serverId)).toBe(serverGeneration);
      const [{ count }] = await db.query('SELECT count(*)::int AS count FROM port_forward WHERE id = $1', [forward()]);
      expect(count).toBe(1);
    });

    it("lets a reseller list, create and delete forwards of its customers' users", async () => {
      const listed = await list(reseller.key, customer.user).expect(200);
      expect(listed.body.port_forwards.map((f: { id: number }) => f.id)).toEqual([forwardOf.customer]);
      const created = await post(reseller.key, customer.user, { external_port: 12002 }).expect(201);
      expect(created.body.assignment_id).toBe(customer.assignment);
      await remove(reseller.key, created.body.id).expect(200, { id: created.body.id, deleted: true });
    });

    it('names a conflicting forward only to someone who may act on it', async () => {
      const port = (await db.query('SELECT external_port FROM port_forward WHERE id = $1', [forwardOf.customer]))[0].external_port;
      const byReseller = await post(reseller.key, resellerUser, { external_port: port }).expect(409);
      expect(byReseller.body.error).toContain(`port forward ${forwardOf.customer}`);
      expect(byReseller.body.conflicting_port_forward_id).toBe(forwardOf.customer);
      const bySibling = await post(sibling.key, sibling.user, { external_port: port }).expect(409);
      // The messages, and the id as a whole number: the id may also be a piece of the status (40 in 409).
      const said = JSON.stringify([bySibling.body.error, bySibling.body.errors]);
      expect(said).not.toMatch(new RegExp(`(?<![0-9])${forwardOf.customer}(?![0-9])`));
      expect(bySibling.body).not.toHaveProperty('conflicting_port_forward_id');
    });
  });

  it('paginates the list', async () => {
    const t = await tenant();
    const ids: number[] = [];
    for (const port of [13001, 13002, 13003]) ids.push((await post(t.key, t.user, { external_port: port }).expect(201)).body.id);
    const first = await list(t.key, t.user, '?limit=2').expect(200);
    expect(first.body.port_forwards.map((f: { id: number }) => f.id)).toEqual(ids.slice(0, 2));
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await list(t.key, t.user, `?limit=2&cursor=${first.body.next_cursor}`).expect(200);
    expect(second.body).toEqual({ port_forwards: [expect.objectContaining({ id: ids[2] })], next_cursor: null });
    await list(t.key, t.user, '?limit=0').expect(422);
  });

  it('DELETE frees the port, bumps the generation and is audited; a second DELETE is 404', async () => {
    const t = await tenant();
    const forward = (await post(t.key, t.user, { external_port: 14000, protocol: 'both' }).expect(201)).body;
    await post(t.key, t.user, { external_port: 14000, protocol: 'udp' }).expect(409);
    const before = await generation(t.server.serverId);
    await remove(t.key, forward.id).expect(200, { id: forward.id, deleted: true });
    expect(await generation(t.server.serverId)).toBe(before + 1);
    const [{ claims }] = await db.query('SELECT count(*)::int AS claims FROM port_claim WHERE port_forward_id = $1', [forward.id]);
    expect(claims).toBe(0);
    await post(t.key, t.user, { external_port: 14000, protocol: 'udp' }).expect(201);
    await remove(t.key, forward.id).expect(404);
    const actions = await db.query(`SELECT action FROM audit_log WHERE target_type = 'port_forward' AND target_id = $1 ORDER BY id`, [forward.id]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['port_forward.create', 'port_forward.delete']);
  });

  it("deleting the user takes its forwards and their claims with it", async () => {
    const t = await tenant();
    const forward = (await post(t.key, t.user, { external_port: 15000, protocol: 'both' }).expect(201)).body;
    await db.query('DELETE FROM wg_user WHERE id = $1', [t.user]);
    const [{ forwards }] = await db.query('SELECT count(*)::int AS forwards FROM port_forward WHERE id = $1', [forward.id]);
    const [{ claims }] = await db.query('SELECT count(*)::int AS claims FROM port_claim WHERE public_ip = $1 AND port = 15000', [
      t.server.publicIpv4,
    ]);
    expect({ forwards, claims }).toEqual({ forwards: 0, claims: 0 });
    const next = await makeUser(app, t.assignment);
    await post(t.key, next.id, { external_port: 15000, protocol: 'both' }).expect(201);
  });
});
