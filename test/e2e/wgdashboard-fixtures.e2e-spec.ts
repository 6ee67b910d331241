import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { bearer, makeAccount, startTestApp } from '../support/test-app.js';
import { ORACLE_KEY, wgdFixture, type WgdFixture } from '../support/wgd-fixtures.js';

/**
 * Requests recorded against the real WGDashboard 4.2.5, replayed here: the same status, media
 * type, CORS headers and body bytes. Only cases whose answer does not depend on the recorded
 * machine's state (keys, dates) are compared whole.
 */
const CASES = [
  // CORS preflights: answered before authentication, on real and unknown paths, with any key or none.
  'options-handshake',
  'options-unknown-path',
  'options-preflight-origin',
  'options-preflight-get-no-key',
  'options-preflight-get-key',
  'options-preflight-get-wrong-key',
  'options-preflight-unknown-path-no-key',
  'options-preflight-unknown-path-key',
  'options-preflight-no-origin',
  'options-preflight-mixed-case',
  'options-preflight-unlisted-method',
  'options-preflight-unlisted-headers-only',
  // Authentication before routing: an unknown route without a valid key is a 401 like any other.
  'unknown-api-no-key',
  'unknown-api-wrong-key',
  'handshake-two-keys',
  // The sign-in calls of the web page's "Access Remote Server" mode, and protocolsEnabled.
  'protocolsEnabled-key',
  'protocolsEnabled-no-key',
  'authenticate-key',
  'authenticate-key-origin',
  'authenticate-wrong-key',
  'authenticate-wrong-password-no-key',
  'validateAuthentication-no-key',
  'validateAuthentication-key',
  'signout-key',
  'signout-no-key',
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

/**
 * Upstream answers these with Werkzeug's HTML pages (404, 405 with `Allow`, 500); here the status, the
 * CORS and `Allow` headers are the recorded ones and the body is the envelope with `status:false`
 * (README, WGDashboard deviations), so a client reading `status` never takes them for success.
 */
// Werkzeug's own words, from the recorded pages.
const WGD_NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
const WGD_WRONG_METHOD = 'The method is not allowed for the requested URL.';

const HTML_PAGES_AS_ENVELOPES: Array<[name: string, status: number, message: string]> = [
  ['unknown-api-key', 404, WGD_NOT_FOUND],
  ['unknown-api-post-key', 404, WGD_NOT_FOUND],
  ['unknown-api-nested-key', 404, WGD_NOT_FOUND],
  ['unknown-api-origin-key', 404, WGD_NOT_FOUND],
  ['wrong-method-key', 405, WGD_WRONG_METHOD],
  ['wrong-method-get-on-post-route-key', 405, WGD_WRONG_METHOD],
  // Upstream crashes reading the missing password (an HTML 500); here a 400 says what to send.
  ['authenticate-missing-fields-no-key', 400, 'Please provide username and password'],
];
const UPSTREAM_STATUS: Record<number, number> = { 400: 500, 404: 404, 405: 405 };

const PICKED = ['content-type', 'access-control-allow-origin', 'access-control-allow-headers', 'access-control-allow-methods', 'vary', 'allow'];
const picked = (headers: Record<string, string | undefined>, names = PICKED) => Object.fromEntries(names.map((h) => [h, headers[h] ?? null]));
const recordedHeaders = (fixture: WgdFixture) => Object.fromEntries(Object.entries(fixture.headers).map(([h, v]) => [h.toLowerCase(), v]));

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

  /** The recorded request, with our key where the recorder sent its own (a repeated header stays repeated). */
  const replay = (fixture: WgdFixture) => {
    let call = request(app.getHttpServer())[fixture.request.method.toLowerCase() as 'get'](fixture.request.path);
    const ours = (value: string) => (value === ORACLE_KEY ? key : value);
    for (const [header, value] of Object.entries(fixture.request.headers as Record<string, string | string[]>)) {
      call = Array.isArray(value) ? call.set(header as 'Cookie', value.map(ours)) : call.set(header, ours(value));
    }
    return typeof fixture.request.body === 'string' ? call.send(fixture.request.body) : call;
  };

  it.each(CASES)('%s', async (name) => {
    const fixture = wgdFixture(name);
    const res = await replay(fixture);
    const recorded = recordedHeaders(fixture);
    expect({ status: res.status, headers: picked(res.headers), body: res.text }).toEqual({
      status: fixture.status,
      headers: picked(recorded),
      body: fixture.body,
    });
    expect(res.headers['content-length']).toBe(recorded['content-length']);
  });

  it.each(HTML_PAGES_AS_ENVELOPES)('%s: the recorded status and headers, the envelope for a body', async (name, status, message) => {
    const fixture = wgdFixture(name);
    const res = await replay(fixture);
    const corsAndAllow = PICKED.filter((h) => h !== 'content-type');
    expect(fixture.status).toBe(UPSTREAM_STATUS[status]);
    expect(picked(res.headers, corsAndAllow)).toEqual(picked(recordedHeaders(fixture), corsAndAllow));
    expect([res.status, res.headers['content-type'], res.text]).toEqual([status, 'application/json', `{"data":null,"message":${JSON.stringify(message)},"status":false}\n`]);
  });
});
