import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig } from '@wgfleet/core';
import { generateKeyPair } from '@wgfleet/wireguard';
import { formatLocalDateTime } from '../../libs/wgdashboard/src/python-time.js';
import { SHARE_LINK_PURGE_GRACE_MS, ShareLinkPurger } from '../../libs/wgdashboard/src/share-links/share-link-purger.js';
import { makeServer, type TestServer } from '../support/fleet-factory.js';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const HOUR = 60 * 60_000;

/**
 * Expired share links are purged once they are past the grace period, and an API client cannot
 * tell: `sharePeer/get` and `sharePeer/update` answer a purged link byte for byte as they answered
 * it expired, which is how they answer a ShareID that never existed.
 */
describe('WGDashboard share links: the purge of expired links', () => {
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let db: DataSource;
  let server: TestServer;
  let key: string;

  const wgd = (method: 'get' | 'post', path: string) => request(http)[method](path).set('wg-dashboard-apikey', key);
  const open = (shareId: string) => request(http).get(`/api/sharePeer/get?ShareID=${shareId}`).expect(200);
  const update = (shareId: string) => wgd('post', '/api/sharePeer/update').send({ ShareID: shareId, ExpireDate: null }).expect(200);
  const localText = (msFromNow: number) => formatLocalDateTime(new Date(Date.now() + msFromNow));
  const exists = async (shareId: string) => (await db.query('SELECT 1 FROM wgd_share_link WHERE share_id = $1', [shareId])).length === 1;

  /** A new peer of wg0 shared with that ExpireDate; its ShareID (an expired link's is not in the answer). */
  async function sharedPeer(expireDate: string | null): Promise<string> {
    const { publicKey } = generateKeyPair();
    const added = await wgd('post', '/api/addPeers/wg0').send({ public_key: publicKey, allowed_ips: [] }).expect(200);
    expect(added.body.status).toBe(true);
    expect((await wgd('post', '/api/sharePeer/create').send({ Configuration: 'wg0', Peer: publicKey, ExpireDate: expireDate }).expect(200)).body.status).toBe(true);
    const [row] = await db.query('SELECT share_id FROM wgd_share_link WHERE node_id = $1 AND peer = $2', [server.nodeId, publicKey]);
    return row.share_id as string;
  }

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '100000' });
    http = app.getHttpServer();
    db = app.get(DataSource);
    const admin = await makeAccount(app, 'admin');
    server = await makeServer(app, { ipv4Subnet: '10.66.41.0/24', ipv6Subnet: null });
    key = (await request(http).post(`/api/admin/nodes/${server.nodeId}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
  });

  afterAll(async () => {
    await app.close();
  });

  it('deletes the links expired longer than the grace period, keeps the rest, and every answer stays the same', async () => {
    const longExpired = await sharedPeer(localText(-SHARE_LINK_PURGE_GRACE_MS - HOUR));
    const recentlyExpired = await sharedPeer(localText(-SHARE_LINK_PURGE_GRACE_MS + HOUR));
    const active = await sharedPeer(localText(HOUR));
    const forever = await sharedPeer(null);
    const neverExisted = '0123abcd-0123-4567-89ab-0123456789ab';

    const before = {
      long: (await open(longExpired)).text,
      recent: (await open(recentlyExpired)).text,
      unknown: (await open(neverExisted)).text,
      updateLong: (await update(longExpired)).text,
      updateUnknown: (await update(neverExisted)).text,
    };
    // Upstream's answers: an expired link and an unknown one are the same.
    expect(before.long).toBe('{"data":null,"message":"This link is either expired to invalid","status":false}\n');
    expect(before.recent).toBe(before.long);
    expect(before.unknown).toBe(before.long);
    expect(before.updateLong).toBe('{"data":null,"message":"ShareID does not exist","status":false}\n');
    expect(before.updateUnknown).toBe(before.updateLong);

    expect(await app.get(ShareLinkPurger).purgeOnce()).toBeGreaterThanOrEqual(1);

    expect({ long: await exists(longExpired), recent: await exists(recentlyExpired), active: await exists(active), forever: await exists(forever) }).toEqual({
      long: false,
      recent: true,
      active: true,
      forever: true,
    });
    expect((await open(longExpired)).text).toBe(before.long);
    expect((await update(longExpired)).text).toBe(before.updateLong);
    expect((await open(recentlyExpired)).text).toBe(before.recent);
    expect((await open(active)).body.status).toBe(true);
    expect((await open(forever)).body.status).toBe(true);
  });

  it('runs by itself where background work runs: once at start, then on its timer', async () => {
    const longExpired = await sharedPeer(localText(-SHARE_LINK_PURGE_GRACE_MS - HOUR));
    const purger = new ShareLinkPurger({ ...app.get(AppConfig), RECONCILER_ENABLED: 'true' } as AppConfig, db);
    purger.onApplicationBootstrap();
    try {
      await waitFor('the start pass to purge the link', async () => !(await exists(longExpired)));
    } finally {
      await purger.onModuleDestroy();
    }
  });

  it('stays idle where background work is off', async () => {
    const longExpired = await sharedPeer(localText(-SHARE_LINK_PURGE_GRACE_MS - HOUR));
    const purger = new ShareLinkPurger({ ...app.get(AppConfig), RECONCILER_ENABLED: 'false' } as AppConfig, db);
    purger.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await purger.onModuleDestroy();
    expect(await exists(longExpired)).toBe(true);
  });
});
