import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { ORACLE_KEY, wgdFixture } from '../support/wgd-fixtures.js';

/**
 * Requests recorded against the real WGDashboard 4.2.5, replayed here: the same status, media
 * type, CORS headers and body bytes. Only cases whose answer does not depend on the recorded
 * machine's state (keys, dates) are compared whole.
 */
const CASES = [
  'handshake-key',
  'handshake-key-origin',
  'handshake-no-key',
  'handshake-no-key-origin',
  'handshake-wrong-key',
  'handshake-empty-key',
  'requireAuthentication-key',
  'requireAuthentication-no-key',
  'requireAuthentication-wrong-key',
  'getDashboardVersion-no-key',
  'getDashboardTheme-no-key',
  'isTotpEnabled-no-key',
  'newDashboardAPIKey-missing',
  'newDashboardAPIKey-bad-date',
  'deleteDashboardAPIKey-unknown',
  // Dashboard settings: the fixture node's own settings, and the open locale routes (the translations are not shipped, so zh-cn is not replayed).
  'getDashboardConfiguration-no-key',
  'getDashboardUpdate-offline-key',
  'updateDashboardConfigurationItem-invalid-request',
  'updateDashboardConfigurationItem-hidden-key',
  'updateDashboardConfigurationItem-unknown-section',
  'updateDashboardConfigurationItem-unknown-key',
  'updateDashboardConfigurationItem-bad-dns',
  'updateDashboardConfigurationItem-bad-endpoint-allowed-ip',
  'updateDashboardConfigurationItem-bool',
  'updateDashboardConfigurationItem-dns-restore',
  'updateDashboardConfigurationItem-theme-light',
  'updateDashboardConfigurationItem-theme-dark',
  'locale-available-no-key',
  'locale-no-key',
  'locale-update-missing-no-key',
  'locale-update-en-no-key',
  'locale-update-unknown-no-key',
  // E-mail, with no SMTP_* set (as the recorder had no [Email] settings) and without naming a peer.
  'email-ready',
  'email-send-missing-receiver',
  'email-send-not-configured',
  'email-previewBody-empty',
  'email-previewBody-missing-peer',
  // Node tools: refused before the node is asked (the loopback answers are replayed on a fake node in wgdashboard-node-tools).
  'ping-execute-missing',
  'ping-execute-bad-count',
  'traceroute-execute-missing',
  // Peer schedule jobs: refused before any peer is looked up (the rest replay in wgdashboard-peer-jobs).
  'savePeerScheduleJob-missing-job',
  'savePeerScheduleJob-missing-peer',
  'savePeerScheduleJob-unknown-config',
  'getPeerScheduleJobLogs-unknown-config',
  // Share links: refused before any link is looked up, or an ID no node has (the recorded link is replayed in wgdashboard-share-links).
  'sharePeer-create-missing',
  'sharePeer-update-missing',
  'sharePeer-get-missing-no-key',
  'sharePeer-get-unknown-no-key',
  // Configurations: answers that need no configuration on the node (the rest are replayed in wgdashboard-configuration-admin).
  'addWireguardConfiguration-missing-params',
  'addWireguardConfiguration-bad-protocol',
  'deleteWireguardConfiguration-unknown',
  'toggleWireguardConfiguration-no-param',
  'toggleWireguardConfiguration-unknown',
  'updateWireguardConfiguration-missing-name',
  'updateWireguardConfiguration-unknown',
  'renameWireguardConfiguration-missing',
  'renameWireguardConfiguration-unknown',
  'getWireguardConfigurationRawFile-no-param',
  'getWireguardConfigurationRawFile-unknown',
  'updateWireguardConfigurationRawFile-unknown',
  'getWireguardConfigurationRealtimeTraffic-unknown',
  'getWireguardConfigurations-none',
  // Backups: the answers for an unknown configuration and missing fields (the rest in wgdashboard-backups).
  'getWireguardConfigurationBackup-unknown',
  'createWireguardConfigurationBackup-unknown',
  'deleteWireguardConfigurationBackup-missing-fields',
  'deleteWireguardConfigurationBackup-unknown-config',
  'downloadWireguardConfigurationBackup-unknown-config',
  'restoreWireguardConfigurationBackup-missing-fields',
  'restoreWireguardConfigurationBackup-unknown-config',
];

describe('WGDashboard API: recorded answers of the real 4.2.5, replayed', () => {
  let app: NestFastifyApplication;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp();
    const admin = await makeAccount(app, 'admin');
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', '198.51.100.34') RETURNING id`, [
      `wgd-fixtures-${process.pid}-${Date.now()}`,
    ]);
    key = (await request(app.getHttpServer()).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key;
  });
  afterAll(async () => {
    await app.close();
  });

  it.each(CASES)('%s', async (name) => {
    const fixture = wgdFixture(name);
    let call = request(app.getHttpServer())[fixture.request.method.toLowerCase() as 'get'](fixture.request.path);
    for (const [header, value] of Object.entries(fixture.request.headers)) call = call.set(header, value === ORACLE_KEY ? key : value);
    const res = await (typeof fixture.request.body === 'string' ? call.send(fixture.request.body) : call);
    const picked = (headers: Record<string, string | undefined>) =>
      Object.fromEntries(['content-type', 'access-control-allow-origin', 'vary'].map((h) => [h, headers[h] ?? null]));
    const recorded = Object.fromEntries(Object.entries(fixture.headers).map(([h, v]) => [h.toLowerCase(), v]));
    expect({ status: res.status, headers: picked(res.headers), body: res.text }).toEqual({
      status: fixture.status,
      headers: picked(recorded),
      body: fixture.body,
    });
    expect(res.headers['content-length']).toBe(recorded['content-length']);
  });
});
