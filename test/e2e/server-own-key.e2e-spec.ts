import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { SecretBox } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';
import { assign, makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/**
 * A peer with its server's own public key (issue 10, point 5): WireGuard ignores it, so it would
 * show `active` and never connect. Refused on the portal (409 conflict) and on the WGDashboard API
 * (status:false), by public key, by a private key whose public key it is, and by a backup restore.
 */
describe('a peer with the server’s own public key', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let server: TestServer;
  let serverPrivateKey: string;
  let wgdKey: string;
  let customer: { id: number; key: string };
  let assignmentId: number;

  const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', wgdKey);
  const usersOnServer = async () => Number((await db.query('SELECT count(*) AS n FROM wg_user WHERE server_id = $1', [server.serverId]))[0].n);

  beforeAll(async () => {
    app = await startTestApp();
    http = app.getHttpServer();
    db = app.get(DataSource);
    const admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.78.1.0/24', ipv6Subnet: null });
    const [row] = await db.query('SELECT private_key_enc FROM server WHERE id = $1', [server.serverId]);
    serverPrivateKey = app.get(SecretBox).open(row.private_key_enc, `server.private_key:${server.publicKey}`);
    wgdKey = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
    customer = await makeAccount(app, 'customer');
    assignmentId = await assign(app, server.serverId, customer.id);
  });
  afterAll(async () => {
    await app.close();
  });

  async function serverName(): Promise<string> {
    return (await db.query('SELECT name FROM server WHERE id = $1', [server.serverId]))[0].name;
  }

  it('is refused on the portal with 409 conflict saying why, and nothing is created', async () => {
    const res = await request(http)
      .post(`/api/wg/servers/${assignmentId}/users`)
      .set(bearer(customer.key))
      .send({ client_name: 'mirror', public_key: server.publicKey })
      .expect(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({
      code: 'conflict',
      error: `this public key is server ${await serverName()}'s own public key; WireGuard ignores a peer with its interface's own key, so this user could never connect: generate a new key pair for the client`,
      errors: [{ field: 'public_key', message: "is the server's own public key" }],
    });
    expect(await usersOnServer()).toBe(0);
    // Another key is still taken.
    await request(http).post(`/api/wg/servers/${assignmentId}/users`).set(bearer(customer.key)).send({ client_name: 'fine', public_key: generateKeyPair().publicKey }).expect(201);
    expect(await usersOnServer()).toBe(1);
  });

  it.each([
    ['its public key', () => ({ public_key: server.publicKey })],
    ['a private key whose public key it is', () => ({ private_key: serverPrivateKey })],
    ['both', () => ({ public_key: server.publicKey, private_key: serverPrivateKey })],
  ])('is refused by WGDashboard addPeers given %s, with upstream’s envelope and a clear message', async (_case, body) => {
    const before = await usersOnServer();
    const res = await wgd('post', '/api/addPeers/wg0').send({ name: 'mirror', ...body() }).expect(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text).toBe(
      `{"data":null,"message":${JSON.stringify(`this public key is server ${await serverName()}'s own public key; WireGuard ignores a peer with its interface's own key, so this user could never connect: generate a new key pair for the client`)},"status":false}\n`,
    );
    expect(await usersOnServer()).toBe(before);
  });

  it('is refused by a backup restore that would bring such a peer back (one stored before the check), which changes nothing', async () => {
    const pair = generateKeyPair();
    expect((await wgd('post', '/api/addPeers/wg0').send({ name: 'operator', public_key: pair.publicKey }).expect(200)).body.status).toBe(true);
    // As if stored before the rule: the operator's peer holds the server's key.
    await db.query('UPDATE wg_user SET public_key = $1 WHERE server_id = $2 AND public_key = $3', [server.publicKey, server.serverId, pair.publicKey]);
    expect((await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.status).toBe(true);
    const [backup] = (await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.data as Array<{ filename: string }>;
    const keysBefore = await db.query('SELECT id, public_key FROM wg_user WHERE server_id = $1 ORDER BY id', [server.serverId]);

    const res = await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: backup!.filename }).expect(200);
    expect(res.body).toEqual({
      status: false,
      data: null,
      message: `Restore backup failed: this public key is server ${await serverName()}'s own public key; WireGuard ignores a peer with its interface's own key, so this user could never connect: generate a new key pair for the client`,
    });
    expect(await db.query('SELECT id, public_key FROM wg_user WHERE server_id = $1 ORDER BY id', [server.serverId])).toEqual(keysBefore);
  });

  it('is refused by a restore that leaves a tenant’s user holding the server’s key (stored before the check)', async () => {
    // The operator's peer of the test above goes; the tenant's user takes the server's key, as if written before the rule
    // (its preshared key, sealed to its old key, goes too).
    await db.query('DELETE FROM wg_user WHERE server_id = $1 AND assignment_id IS NULL', [server.serverId]);
    await db.query(`UPDATE wg_user SET public_key = $1, preshared_key_enc = NULL WHERE server_id = $2 AND client_name = 'fine'`, [server.publicKey, server.serverId]);
    expect((await wgd('post', '/api/addPeers/wg0').send({ name: 'operator-2' }).expect(200)).body.status).toBe(true);
    expect((await wgd('get', '/api/createWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.status).toBe(true);
    const backups = (await wgd('get', '/api/getWireguardConfigurationBackup?configurationName=wg0').expect(200)).body.data as Array<{ filename: string }>;
    const before = await db.query('SELECT id, public_key, client_name FROM wg_user WHERE server_id = $1 ORDER BY id', [server.serverId]);

    const res = await wgd('post', '/api/restoreWireguardConfigurationBackup').send({ ConfigurationName: 'wg0', BackupFileName: backups.at(-1)!.filename }).expect(200);
    expect(res.body.status).toBe(false);
    expect(res.body.message).toBe(
      `Restore backup failed: this public key is server ${await serverName()}'s own public key; WireGuard ignores a peer with its interface's own key, so this user could never connect: generate a new key pair for the client`,
    );
    expect(await db.query('SELECT id, public_key, client_name FROM wg_user WHERE server_id = $1 ORDER BY id', [server.serverId])).toEqual(before);
  });
});
