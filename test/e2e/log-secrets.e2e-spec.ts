import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger, loadConfig } from '@wgfleet/core';
import { FakeNodeDriver, Reconciler } from '@wgfleet/node-sync';
import { generateKeyPair, generatePresharedKey } from '@wgfleet/wireguard';
import { createApp } from '../../apps/api/src/create-app.js';
import { migratedDatabaseUrl } from '../setup/test-database.js';
import { findSecrets } from '../support/secret-scan.js';
import { bearer, makeAccount, tamperedKey, TEST_MASTER_KEY } from '../support/test-app.js';
import { ed25519KeyPair } from '../support/ssh-keys.js';

/**
 * Secrets never reach a log line: a realistic workflow with logging at `trace`, every line
 * captured in memory, then scanned for API keys, the WireGuard private and preshared keys made
 * in the run, WGDashboard keys, the SSH key, the SMTP password and the metrics token.
 */

jest.setTimeout(30_000);

const SMTP_PASSWORD = 'smtp-password-Zq81!never-logged';
const METRICS_TOKEN = 'metrics-token-never-logged-0123456789';
const WG_KEY = /^[A-Za-z0-9+/]{43}=$/;

describe('logs at trace during a realistic workflow', () => {
  const lines: string[] = [];
  const fake = new FakeNodeDriver();
  const ours = new Set<number>();
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  /** Every secret value the run made or was given: none may appear in any line. */
  const secrets = new Set<string>([SMTP_PASSWORD, METRICS_TOKEN]);
  const keep = (text: string) => {
    // Private and preshared keys as the API returns them: JSON fields and wg-quick lines.
    for (const [, value] of text.matchAll(/"(?:client_private_key|preshared_key|private_key|PrivateKey|PresharedKey|privateKey|presharedKey)"\s*:\s*"([A-Za-z0-9+/]{43}=)"/g)) secrets.add(value!);
    for (const [, value] of text.matchAll(/(?:PrivateKey|PresharedKey)\s*=\s*([A-Za-z0-9+/]{43}=)/g)) secrets.add(value!);
  };

  beforeAll(async () => {
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const config = loadConfig({
      LOG_LEVEL: 'trace',
      METRICS_TOKEN,
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '587',
      SMTP_USERNAME: 'mailer',
      SMTP_PASSWORD,
      SMTP_FROM: 'wgfleet@example.com',
      SMTP_ENCRYPTION: 'STARTTLS',
    });
    app = await createApp(config, await migratedDatabaseUrl(), createLogger('trace', capture), TEST_MASTER_KEY, {
      nodeDriver: fake,
      reconciler: { intervalMs: 60_000, pollIntervalMs: 60_000, scope: (serverId) => ours.has(serverId) },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('writes no secret in any line', async () => {
    const admin = await makeAccount(app, 'admin');
    secrets.add(admin.key);

    // An SSH node with its private key, and a server on it.
    const sshKeys = ed25519KeyPair();
    secrets.add(sshKeys.private);
    const node = await http()
      .post('/api/admin/nodes')
      .set(bearer(admin.key))
      .send({
        name: `secrets-${process.pid}-${Date.now()}`,
        transport: 'ssh',
        public_ipv4: '198.51.100.77',
        ssh: { host: 'node-secrets.example.com', port: 22, username: 'wgfleet', private_key: sshKeys.private, host_key: ed25519KeyPair().public },
      })
      .expect(201);
    const server = await http()
      .post(`/api/admin/nodes/${node.body.id}/servers`)
      .set(bearer(admin.key))
      .send({ name: 'secrets', location: 'Test', interface: 'wg0', listen_port: 51820, ipv4_subnet: '10.44.0.0/24' })
      .expect(201);
    ours.add(server.body.id);

    // A customer with a key of its own (shown once), then users with generated keys and a preshared key.
    const customer = await http().post('/api/admin/accounts').set(bearer(admin.key)).send({ name: `secrets-customer-${Date.now()}`, kind: 'customer' }).expect(201);
    const customerKey = (await http().post(`/api/admin/accounts/${customer.body.id}/api-keys`).set(bearer(admin.key)).send({ name: 'ci' }).expect(201)).body.key as string;
    secrets.add(customerKey);
    const extraKey = await http().post('/api/wg/api-keys').set(bearer(customerKey)).send({ name: 'second' }).expect(201);
    secrets.add(extraKey.body.key);
    const assignment = await http().post('/api/admin/assignments').set(bearer(admin.key)).send({ server_id: server.body.id, account_id: customer.body.id }).expect(201);
    for (const [name, withPsk] of [['alice', true], ['bob', false]] as const) {
      const created = await http().post(`/api/wg/servers/${assignment.body.id}/users`).set(bearer(customerKey)).send({ client_name: name, preshared_key: withPsk }).expect(201);
      keep(created.text);
      keep((await http().get(`/api/wg/users/${created.body.id}`).set(bearer(customerKey)).expect(200)).text);
    }
    // A refused key, a malformed body: error paths log too.
    await http().get('/api/wg/servers').set(bearer(tamperedKey(customerKey))).expect(401);
    await http().post(`/api/wg/servers/${assignment.body.id}/users`).set(bearer(customerKey)).set('content-type', 'application/json').send('{"client_name": ').expect(400);

    // The WGDashboard side: a key for the node, a peer with keys we chose, and its file downloaded.
    const wgdKey = (await http().post(`/api/admin/nodes/${node.body.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;
    secrets.add(wgdKey);
    const pair = generateKeyPair();
    const psk = generatePresharedKey();
    secrets.add(pair.privateKey).add(psk);
    const added = await http()
      .post('/api/addPeers/wg0')
      .set('wg-dashboard-apikey', wgdKey)
      .send({ name: 'wgd-peer', private_key: pair.privateKey, public_key: pair.publicKey, preshared_key: psk, allowed_ips: ['10.44.0.50/32'] })
      .expect(200);
    expect(added.body.status).toBe(true);
    const download = await http().get(`/api/downloadPeer/wg0?id=${encodeURIComponent(pair.publicKey)}`).set('wg-dashboard-apikey', wgdKey).expect(200);
    keep(download.text);

    // Pushes to the (fake) node, whose configs carry the server's private key and every peer's keys.
    await app.get(Reconciler).idle();
    await http().post(`/api/admin/servers/${server.body.id}/reconcile`).set(bearer(admin.key)).expect(202);
    await app.get(Reconciler).idle();
    const pushed = fake.appliesTo(node.body.id);
    expect(pushed.length).toBeGreaterThan(0);
    for (const apply of pushed) keep(apply.desired.peersConfig);
    await http().get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);

    // The scan is only as good as what it looked for: the run's own keys are among the secrets.
    const wireguardSecrets = [...secrets].filter((value) => WG_KEY.test(value));
    expect(wireguardSecrets.length).toBeGreaterThanOrEqual(6);
    expect(lines.length).toBeGreaterThan(30);
    // One line per push with its ids, size, duration and outcome.
    const push = lines.map((line) => JSON.parse(line)).findLast((line) => line.msg === 'apply done' && line.serverId === server.body.id);
    expect(push).toMatchObject({ node: node.body.name, outcome: 'applied', peers: 3 });
    expect(typeof push.generation).toBe('number');
    expect(typeof push.durationMs).toBe('number');

    expect(findSecrets(lines, [...secrets])).toEqual([]);
    // And the scan does see a secret when a line holds one.
    expect(findSecrets([JSON.stringify({ msg: 'leak', token: customerKey })], [])).toHaveLength(1);
    expect(findSecrets([JSON.stringify({ msg: 'leak', value: psk })], [...secrets])).toHaveLength(1);
    expect(findSecrets([JSON.stringify({ msg: 'leak', value: sshKeys.private })], [])).not.toHaveLength(0);
  });
});
