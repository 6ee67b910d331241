import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { decodeQrPng, decodeQrSvg } from '../support/qr-decode.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

const MISSING = 987_654_321;
const KINDS = ['conf', 'png', 'svg'] as const;
// pngjs encodes and decodes many times slower inside Jest's sandbox than in plain node.
const RENDERING = 60_000;

/** supertest keeps image/png as a Buffer but would parse SVG and text as strings; take raw bytes for all. */
function bytes(response: request.Response): Buffer {
  return Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.text, 'utf8');
}

describe('client configs as downloads and QR codes: /api/wg/users/{id}/config.{conf,png,svg}', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;

  beforeAll(async () => {
    // The default limit (60 per key per minute): every test makes its own key, whose window opens
    // at its first request, so the counts below are exact.
    app = await startTestApp();
    http = app.getHttpServer();
  });
  afterAll(async () => {
    await app.close();
  });

  async function tenant() {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, account.id);
    return { ...account, server, assignment };
  }

  async function createUser(key: string, assignment: number, body: object): Promise<{ id: number; client_name: string; config: string; keys: { client_private_key: string | null } }> {
    return (await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(key)).send(body).expect(201)).body;
  }

  const download = (key: string | null, user: number | string, kind: (typeof KINDS)[number]) => {
    const call = request(http).get(`/api/wg/users/${user}/config.${kind}`).buffer(true);
    // Binary bodies as Buffers, whatever the content type.
    call.parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });
    return key === null ? call : call.set(bearer(key));
  };

  const problemOf = (response: request.Response) => JSON.parse(bytes(response).toString('utf8'));

  it('config.conf is the config of GET /api/wg/users/{id}, byte for byte, as <client_name>.conf, no-store', async () => {
    const t = await tenant();
    const user = await createUser(t.key, t.assignment, { client_name: 'web-server' });
    const shown = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200)).body;
    expect(shown.config).toBe(user.config);

    const response = await download(t.key, user.id, 'conf').expect(200);
    expect(bytes(response).equals(Buffer.from(shown.config, 'utf8'))).toBe(true);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="web-server.conf"');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it(
    'config.png is a QR code that decodes to exactly that config, no-store',
    async () => {
      const t = await tenant();
      const user = await createUser(t.key, t.assignment, { client_name: 'phone' });
      const shown = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200)).body;

      const response = await download(t.key, user.id, 'png').expect(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-disposition']).toBeUndefined();
      const png = bytes(response);
      expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
      expect(decodeQrPng(png)).toBe(shown.config);
      expect(shown.config).toContain(`PrivateKey = ${user.keys.client_private_key}`);
    },
    RENDERING,
  );

  it(
    'config.svg is a well-formed SVG QR code that decodes to exactly that config, no-store',
    async () => {
      const t = await tenant();
      const user = await createUser(t.key, t.assignment, { client_name: 'tablet' });
      const shown = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200)).body;

      const response = await download(t.key, user.id, 'svg').expect(200);
      expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      const svg = bytes(response).toString('utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1" shape-rendering="crispEdges">/);
      expect(svg).toMatch(/<path fill="#ffffff" d="M0 0h\d+v\d+H0z"\/><path stroke="#000000" d="M[^"]+"\/><\/svg>\n$/);
      const decoded = decodeQrSvg(svg);
      expect(decoded.text).toBe(shown.config);
      // A version 1–40 symbol (21–177 modules) plus a quiet zone of 4 modules on each side.
      expect((decoded.side - 8 - 21) % 4).toBe(0);
    },
    RENDERING,
  );

  it('gives a user that brought its own public key the .conf with the placeholder, and 409 for a QR code', async () => {
    const t = await tenant();
    const user = await createUser(t.key, t.assignment, { client_name: 'byo', public_key: generateKeyPair().publicKey });
    const shown = (await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200)).body;
    expect(shown.config).toContain('PrivateKey = <insert your private key>');

    const conf = await download(t.key, user.id, 'conf').expect(200);
    expect(bytes(conf).toString('utf8')).toBe(shown.config);
    expect(conf.headers['content-disposition']).toBe('attachment; filename="byo.conf"');

    for (const kind of ['png', 'svg'] as const) {
      const refused = await download(t.key, user.id, kind).expect(409);
      expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = problemOf(refused);
      expect(problem).toMatchObject({ status: 409, code: 'conflict', type: 'https://wgfleet.dev/errors/conflict' });
      expect(problem.error).toContain('private key');
      expect(problem.error).toContain(`/api/wg/users/${user.id}/config.conf`);
    }
  });

  it('answers 409 when the config is longer than any QR code holds, and still serves the .conf', async () => {
    const t = await tenant();
    // 64 routes (the most a user may have) of letter-heavy IPv6 /128s: a config of over 3 kB,
    // more than the 2,953 bytes of the largest QR code.
    const routes = Array.from({ length: 64 }, (_, i) => `fdab:cdef:abcd:efab:cdef:abcd:efab:${(0xcd00 + i).toString(16)}/128`);
    const user = await createUser(t.key, t.assignment, { client_name: 'routes', allowed_ips: routes });
    expect(Buffer.byteLength(user.config)).toBeGreaterThan(2953);

    for (const kind of ['png', 'svg'] as const) {
      const refused = await download(t.key, user.id, kind).expect(409);
      const problem = problemOf(refused);
      expect(problem.code).toBe('conflict');
      expect(problem.error).toContain(`${Buffer.byteLength(user.config)} bytes, more than a QR code holds`);
    }
    expect(bytes(await download(t.key, user.id, 'conf').expect(200)).toString('utf8')).toBe(user.config);
  });

  it('is 401 without a valid key, 404 for a missing user, 422 for an id that is not one', async () => {
    const t = await tenant();
    const user = await createUser(t.key, t.assignment, { client_name: 'auth' });
    for (const kind of KINDS) {
      for (const key of [null, 'wg_nope']) {
        const response = await download(key, user.id, kind).expect(401);
        expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
        expect(problemOf(response).code).toBe('unauthenticated');
      }
      expect(problemOf(await download(t.key, MISSING, kind).expect(404)).code).toBe('not_found');
      for (const bad of ['abc', '0', '-1', '1e3']) {
        expect({ bad, kind, status: (await download(t.key, bad, kind)).status }).toEqual({ bad, kind, status: 422 });
      }
    }
  });

  it('is 403 for another account’s user and for an operator’s peer, leaking nothing', async () => {
    const owner = await tenant();
    const intruder = await tenant();
    const victim = await createUser(owner.key, owner.assignment, { client_name: 'secret-victim' });
    // An operator's peer (WGDashboard): on the intruder's own server, but in no assignment.
    const operatorKey = generateKeyPair();
    const [operatorPeer] = await app.get(DataSource).query(
      `INSERT INTO wg_user (server_id, assignment_id, client_name, public_key, ipv4, allowed_ips, persistent_keepalive)
       VALUES ($1, NULL, 'operator-peer', $2, '10.8.0.200', ARRAY['0.0.0.0/0'], 25) RETURNING id`,
      [intruder.server.serverId, operatorKey.publicKey],
    );

    for (const kind of KINDS) {
      const denied = await download(intruder.key, victim.id, kind).expect(403);
      expect(problemOf(denied).code).toBe('forbidden');
      const text = bytes(denied).toString('utf8');
      for (const secret of [victim.client_name, victim.keys.client_private_key ?? '', victim.config]) expect(text).not.toContain(secret);

      const operator = await download(intruder.key, Number(operatorPeer.id), kind).expect(403);
      expect(problemOf(operator)).toMatchObject({ code: 'forbidden', error: expect.stringContaining('operator') });
    }
  });

  it(
    'counts against the key’s limit like every other route, then answers 429 with Retry-After',
    async () => {
      const t = await tenant();
      const user = await createUser(t.key, t.assignment, { client_name: 'limited' }); // request 1 of the window
      const remaining = async (response: request.Response) => Number(response.headers['x-ratelimit-remaining']);
      expect(await remaining(await request(http).get(`/api/wg/users/${user.id}`).set(bearer(t.key)).expect(200))).toBe(58);
      expect(await remaining(await download(t.key, user.id, 'conf').expect(200))).toBe(57);
      expect(await remaining(await download(t.key, user.id, 'svg').expect(200))).toBe(56);
      const png = await download(t.key, user.id, 'png').expect(200);
      expect(png.headers['x-ratelimit-limit']).toBe('60');
      expect(await remaining(png)).toBe(55);
      for (let i = 0; i < 55; i++) await download(t.key, user.id, 'conf').expect(200);

      for (const kind of KINDS) {
        const refused = await download(t.key, user.id, kind).expect(429);
        expect(problemOf(refused).code).toBe('rate_limited');
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      }
    },
    RENDERING,
  );

  it('documents the three routes with their media types in the OpenAPI document', async () => {
    const document = (await request(http).get('/docs/openapi.json').expect(200)).body;
    type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
    const media = (kind: string, status: string) =>
      Object.keys((document.paths[`/api/wg/users/{id}/config.${kind}`].get as Operation).responses[status]?.content ?? {});
    expect(media('conf', '200')).toEqual(['text/plain']);
    expect(media('png', '200')).toEqual(['image/png']);
    expect(media('svg', '200')).toEqual(['image/svg+xml']);
    for (const kind of ['png', 'svg']) expect(media(kind, '409')).toEqual(['application/problem+json']);
  });
});
