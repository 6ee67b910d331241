import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { PeerTelemetry } from '@wgfleet/peers';
import { generateKeyPair, type PeerStatus } from '@wgfleet/wireguard';
import { assign, makeServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';

/** What the poller records, as the customer routes show it: online, last seen, endpoint, cumulative bytes. */
describe('observed peer status', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let telemetry: PeerTelemetry;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    telemetry = app.get(PeerTelemetry);
  });
  afterAll(async () => {
    await app.close();
  });

  async function tenantWithUsers(names: string[]) {
    const account = await makeAccount(app, 'customer');
    const server = await makeServer(app);
    const assignment = await assign(app, server.serverId, account.id);
    const users: Array<{ id: number; public_key: string }> = [];
    for (const name of names) {
      users.push((await request(http).post(`/api/wg/servers/${assignment}/users`).set(bearer(account.key)).send({ client_name: name }).expect(201)).body);
    }
    return { key: account.key, serverId: server.serverId, assignment, users };
  }

  const peer = (publicKey: string, fields: Partial<PeerStatus>): PeerStatus => ({
    publicKey,
    hasPresharedKey: true,
    endpoint: null,
    allowedIps: [],
    latestHandshakeAt: null,
    rxBytes: 0,
    txBytes: 0,
    persistentKeepalive: 25,
    ...fields,
  });
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it('shows a recent handshake as online, an old one as offline, and a never-seen user as offline', async () => {
    const t = await tenantWithUsers(['fresh', 'stale', 'never']);
    await telemetry.record(t.serverId, {
      polledAt: new Date(),
      interfaceUp: true,
      peers: [
        peer(t.users[0].public_key, { latestHandshakeAt: nowSeconds() - 30, endpoint: '198.18.5.9:40000', rxBytes: 1000, txBytes: 2000 }),
        peer(t.users[1].public_key, { latestHandshakeAt: nowSeconds() - 600, rxBytes: 5, txBytes: 6 }),
        // A peer somebody added by hand: ignored here (the reconciler removes it).
        peer(generateKeyPair().publicKey, { latestHandshakeAt: nowSeconds(), rxBytes: 9, txBytes: 9 }),
      ],
    });
    const status = (await request(http).get(`/api/wg/servers/${t.assignment}/status`).set(bearer(t.key)).expect(200)).body;
    expect(status.server).toMatchObject({ interface: 'up', polled_at: expect.any(String) });
    expect(status.users.map((u: { client_name: string; online: boolean; rx_bytes: number; tx_bytes: number; endpoint: string | null }) => [u.client_name, u.online, u.rx_bytes, u.tx_bytes, u.endpoint])).toEqual([
      ['fresh', true, 1000, 2000, '198.18.5.9:40000'],
      ['stale', false, 5, 6, null],
      ['never', false, 0, 0, null],
    ]);
    const online = (await request(http).get(`/api/wg/servers/${t.assignment}/users?online=true`).set(bearer(t.key)).expect(200)).body;
    expect(online.users.map((u: { client_name: string }) => u.client_name)).toEqual(['fresh']);
    const user = (await request(http).get(`/api/wg/users/${t.users[0].id}`).set(bearer(t.key)).expect(200)).body;
    expect(user).toMatchObject({ online: true, rx_bytes: 1000, last_seen: expect.any(String) });
  });

  it('keeps byte totals across an interface restart (the node counters fall back to zero)', async () => {
    const t = await tenantWithUsers(['web']);
    const poll = (rx: number, tx: number) =>
      telemetry.record(t.serverId, { polledAt: new Date(), interfaceUp: true, peers: [peer(t.users[0].public_key, { latestHandshakeAt: nowSeconds(), rxBytes: rx, txBytes: tx })] });
    await poll(100, 1000);
    await poll(150, 1500);
    await poll(20, 30); // restarted
    await poll(25, 40);
    const user = (await request(http).get(`/api/wg/users/${t.users[0].id}`).set(bearer(t.key)).expect(200)).body;
    expect([user.rx_bytes, user.tx_bytes]).toEqual([175, 1540]);
  });

  it('reports a missing interface as down and keeps the last figures', async () => {
    const t = await tenantWithUsers(['web']);
    await telemetry.record(t.serverId, { polledAt: new Date(), interfaceUp: true, peers: [peer(t.users[0].public_key, { rxBytes: 7, txBytes: 8 })] });
    await telemetry.record(t.serverId, { polledAt: new Date(), interfaceUp: false, peers: [] });
    const status = (await request(http).get(`/api/wg/servers/${t.assignment}/status`).set(bearer(t.key)).expect(200)).body;
    expect(status.server.interface).toBe('down');
    expect(status.users[0]).toMatchObject({ rx_bytes: 7, tx_bytes: 8, online: false });
  });

  it('forgets a deleted user’s status with it', async () => {
    const t = await tenantWithUsers(['gone']);
    await telemetry.record(t.serverId, { polledAt: new Date(), interfaceUp: true, peers: [peer(t.users[0].public_key, { rxBytes: 1, txBytes: 1 })] });
    await request(http).delete(`/api/wg/users/${t.users[0].id}`).set(bearer(t.key)).expect(200);
    expect((await telemetry.statusOf(t.serverId, [t.users[0].id])).size).toBe(0);
  });
});
