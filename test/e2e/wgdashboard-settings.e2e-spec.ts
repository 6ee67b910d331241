import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createLogger, loadConfig } from '@wgfleet/core';
import { runMigrations } from '@wgfleet/database';
import { WgdSettings } from '@wgfleet/wgdashboard';
import { createApp } from '../../apps/api/src/create-app.js';
import { createEmptyDatabase, testDatabaseUrl } from '../setup/test-database.js';
import { bearer, makeAccount, TEST_MASTER_KEY } from '../support/test-app.js';
import { ORACLE_KEY, wgdFixture } from '../support/wgd-fixtures.js';

/**
 * Dashboard settings and locale (notes §2.29, 2.30, 2.36, 2.44, 2.46-2.48). The open routes read
 * and write the node named `local`, which is a singleton of the database: this file runs on a
 * database of its own, so it can create that node and no other test file sees it.
 */
describe('WGDashboard API: dashboard settings', () => {
  const database = `wgd_settings_${process.pid}`;
  let app: NestFastifyApplication;
  let http: ReturnType<NestFastifyApplication['getHttpServer']>;
  let admin: { id: number; key: string };
  let local: { id: number; key: string };
  let other: { id: number; key: string };

  beforeAll(async () => {
    const url = await createEmptyDatabase(database);
    await runMigrations(url);
    app = await createApp(loadConfig({ LOG_LEVEL: 'silent', RECONCILER_ENABLED: 'false' }), url, createLogger('silent'), TEST_MASTER_KEY);
    http = app.getHttpServer();
    admin = await makeAccount(app, 'admin');
    other = await makeNode('other', '198.51.100.41');
  });
  afterAll(async () => {
    await app.close();
    const client = new Client({ connectionString: testDatabaseUrl() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}"`);
    await client.end();
  });

  async function makeNode(name: string, publicIpv4: string): Promise<{ id: number; key: string }> {
    const [node] = await app.get(DataSource).query(`INSERT INTO node (name, transport, public_ipv4) VALUES ($1, 'local', $2) RETURNING id`, [name, publicIpv4]);
    const key = (await request(http).post(`/api/admin/nodes/${node.id}/wgdashboard-keys`).set(bearer(admin.key)).send({}).expect(201)).body.key as string;
    return { id: Number(node.id), key };
  }

  /** A recorded exchange sent again, with `key` in place of the recorder's key: status, media type and body bytes. */
  async function replay(name: string, key?: string): Promise<{ status: number; type: string | undefined; body: string }> {
    const fixture = wgdFixture(name);
    let call = request(http)[fixture.request.method.toLowerCase() as 'get'](fixture.request.path);
    for (const [header, value] of Object.entries(fixture.request.headers)) call = call.set(header, value === ORACLE_KEY ? key! : value);
    const res = await (typeof fixture.request.body === 'string' ? call.send(fixture.request.body) : call);
    return { status: res.status, type: res.headers['content-type'], body: res.text };
  }
  const recorded = (name: string) => {
    const fixture = wgdFixture(name);
    return { status: fixture.status, type: fixture.headers['Content-Type'], body: fixture.body };
  };
  const ok = (data: string) => `{"data":${data},"message":null,"status":true}\n`;
  const failed = (message: string, status = 200) => ({ status, type: 'application/json', body: `{"data":null,"message":${JSON.stringify(message)},"status":false}\n` });
  const update = (key: string, body: unknown) =>
    request(http).post('/api/updateDashboardConfigurationItem').set('wg-dashboard-apikey', key).send(body as object);
  const configuration = async (key: string) =>
    JSON.parse((await request(http).get('/api/getDashboardConfiguration').set('wg-dashboard-apikey', key).expect(200)).text).data;
  const storedRows = async () => Number((await app.get(DataSource).query('SELECT count(*) AS n FROM wgd_setting'))[0].n);

  it('answers the open routes with the defaults and stores nothing while there is no local node', async () => {
    expect(await replay('getDashboardTheme-no-key')).toEqual(recorded('getDashboardTheme-no-key'));
    expect(await replay('locale-update-zh-cn-no-key')).toEqual({ status: 200, type: 'application/json', body: ok('null') });
    expect(await storedRows()).toBe(0);
  });

  it('shows the whole configuration to a key, with its node’s address as remote endpoint, and nothing without one', async () => {
    expect(await replay('getDashboardConfiguration-no-key')).toEqual(recorded('getDashboardConfiguration-no-key'));
    const res = await request(http).get('/api/getDashboardConfiguration').set('wg-dashboard-apikey', other.key).expect(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.text).toBe(
      ok(
        '{"Account":{"enable_totp":false,"password":"","totp_verified":false,"username":"admin"},"Database":{"type":"sqlite"},' +
          '"Email":{"email_password":"","email_template":"","encryption":"","port":"","send_from":"","server":"","username":""},' +
          '"Other":{"welcome_session":true},"Peers":{"peer_display_mode":"grid","peer_endpoint_allowed_ip":"0.0.0.0/0","peer_global_dns":"1.1.1.1",' +
          '"peer_keep_alive":"21","peer_mtu":"1420","remote_endpoint":"198.51.100.41"},"Server":{"app_ip":"127.0.0.1","app_port":"8080","app_prefix":"",' +
          '"awg_conf_path":"/etc/amnezia/amneziawg","dashboard_api_key":true,"dashboard_language":"en","dashboard_peer_list_display":"grid",' +
          '"dashboard_refresh_interval":"60000","dashboard_sort":"status","dashboard_theme":"dark","version":"v4.2.5","wg_conf_path":"/etc/wireguard"},' +
          '"WireGuardConfiguration":{"autostart":[]}}',
      ),
    );
  });

  // The recorded updates themselves are replayed with the others in wgdashboard-fixtures.e2e-spec.ts.

  it('checks a mixed-case option as its lower-case self (upstream stores it unchecked)', async () => {
    expect(await replay('updateDashboardConfigurationItem-bad-dns-mixed-case-key', other.key)).toEqual(
      failed('notadns does not appear to be an valid DNS address'),
    );
    expect((await configuration(other.key)).Peers.peer_global_dns).toBe('1.1.1.1');
  });

  it('answers the settings wgfleet does not let change with what to do instead', async () => {
    const password = await update(other.key, { section: 'Account', key: 'password', value: { currentPassword: 'admin', newPassword: 'a', repeatNewPassword: 'a' } });
    expect({ status: password.status, type: password.headers['content-type'], body: password.text }).toEqual(
      failed(
        'wgfleet has no dashboard login: WGDashboard API keys are the only way in, and their holders need no password or TOTP; there is no password to change',
      ),
    );
    const email = await update(other.key, { section: 'Email', key: 'email_password', value: 'secret' });
    expect(email.text).toBe(failed('wgfleet takes its e-mail settings from its environment (SMTP_* variables); they cannot be changed through this API').body);
    expect((await update(other.key, { section: 'Server', key: 'dashboard_api_key', value: false })).text).toBe(
      failed('WGDashboard API keys are how wgfleet is reached; dashboard_api_key stays true').body,
    );
    expect((await update(other.key, { section: 'Server', key: 'dashboard_api_key', value: true })).text).toBe(ok('true'));
    expect((await update(other.key, { section: 'Server', key: 'version', value: 'v4.3.0' })).text).toBe(
      failed('wgfleet answers as WGDashboard v4.2.5; the version cannot be changed').body,
    );
    expect((await update(other.key, { section: 'Account', key: 'enable_totp', value: true })).text).toBe(
      failed('wgfleet has no dashboard login: WGDashboard API keys are the only way in, and their holders need no password or TOTP; TOTP stays off').body,
    );
  });

  it.each([
    [{ section: 'Peers', key: 'peer_display_mode', value: null }, 'Please send value as a string, a number, a boolean or a list of strings'],
    [{ section: 'Peers', key: 'peer_global_dns', value: ['1.1.1.1'] }, 'Please send the value of peer_global_dns as a string'],
    [{ section: 'Peers', key: 7, value: 'x' }, 'Please send key as a string naming an option of Peers'],
  ])('answers 400 with what to send where upstream crashes: %j', async (body, message) => {
    const res = await update(other.key, body);
    expect({ status: res.status, type: res.headers['content-type'], body: res.text }).toEqual(failed(message, 400));
  });

  it('answers a NUL character with 422 naming the field (refused with every body of both APIs)', async () => {
    const res = await update(other.key, { section: 'Server', key: 'dashboard_sort', value: 'a\u0000b' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ data: null, message: expect.stringContaining('value: must not contain a NUL character'), status: false });
  });

  it('answers the checks that guard client files (remote endpoint, MTU, keepalive, configuration path)', async () => {
    expect((await update(other.key, { section: 'Peers', key: 'remote_endpoint', value: 'vpn.example.com\nPostUp = id' })).text).toBe(
      failed('vpn.example.com\nPostUp = id is not a valid remote endpoint: send an IP address or a host name').body,
    );
    expect((await update(other.key, { section: 'Peers', key: 'peer_mtu', value: 9000 })).text).toBe(failed('peer_mtu must be a whole number from 0 to 1460').body);
    expect((await update(other.key, { section: 'Peers', key: 'peer_keep_alive', value: '-1' })).text).toBe(
      failed('peer_keep_alive must be a whole number from 0 to 65535').body,
    );
    expect((await update(other.key, { section: 'Server', key: 'wg_conf_path', value: 'relative/path' })).text).toBe(failed('relative/path is not a valid path').body);
    expect((await update(other.key, { section: 'Server', key: 'wg_conf_path', value: '/srv/wireguard' })).text).toBe(ok('"/srv/wireguard"'));
  });

  it('keeps each node’s settings to its own keys, and gives the open routes the local node’s', async () => {
    local = await makeNode('local', '198.51.100.40');
    expect((await update(local.key, { section: 'Server', key: 'dashboard_theme', value: 'light' })).text).toBe(ok('"light"'));
    expect((await update(local.key, { section: 'Peers', key: 'peer_global_dns', value: '9.9.9.9, dns.example.com' })).text).toBe(
      ok('"9.9.9.9, dns.example.com"'),
    );
    expect((await update(local.key, { section: 'Peers', key: 'peer_MTU', value: 1280 })).text).toBe(ok('"1280"'));
    expect((await update(local.key, { section: 'Peers', key: 'peer_keep_alive', value: '25' })).text).toBe(ok('"25"'));
    expect((await update(local.key, { section: 'Peers', key: 'remote_endpoint', value: 'vpn.example.com' })).text).toBe(ok('"vpn.example.com"'));
    expect((await update(local.key, { section: 'WireGuardConfiguration', key: 'autostart', value: ['wg0', 'wg1'] })).text).toBe(ok('["wg0","wg1"]'));

    expect(await replay('getDashboardTheme-light-no-key')).toEqual(recorded('getDashboardTheme-light-no-key'));
    const seenByLocal = await configuration(local.key);
    expect(seenByLocal.Server.dashboard_theme).toBe('light');
    expect(seenByLocal.Peers).toMatchObject({ peer_global_dns: '9.9.9.9, dns.example.com', peer_mtu: '1280', remote_endpoint: 'vpn.example.com' });
    expect(seenByLocal.WireGuardConfiguration.autostart).toEqual(['wg0', 'wg1']);
    const seenByOther = await configuration(other.key);
    expect(seenByOther.Server.dashboard_theme).toBe('dark');
    expect(seenByOther.Peers).toMatchObject({ peer_global_dns: '1.1.1.1', peer_mtu: '1420', remote_endpoint: '198.51.100.41' });
    expect(seenByOther.WireGuardConfiguration.autostart).toEqual([]);
    expect((await request(http).get('/api/getDashboardTheme').set('wg-dashboard-apikey', other.key).expect(200)).text).toBe(ok('"dark"'));

    const settings = app.get(WgdSettings);
    expect(await settings.peerDefaults(local.id)).toEqual({
      dns: '9.9.9.9, dns.example.com',
      endpointAllowedIp: '0.0.0.0/0',
      mtu: 1280,
      keepalive: 25,
      remoteEndpoint: 'vpn.example.com',
    });
    expect(await settings.peerDefaults(other.id)).toEqual({ dns: '1.1.1.1', endpointAllowedIp: '0.0.0.0/0', mtu: 1420, keepalive: 21, remoteEndpoint: '198.51.100.41' });
  });

  it('lists upstream’s 25 languages and keeps only their ids, without a key for the local node', async () => {
    for (const name of ['locale-available-no-key', 'locale-no-key', 'locale-update-missing-no-key', 'locale-update-en-no-key']) {
      expect(await replay(name)).toEqual(recorded(name));
    }
    const language = async (key: string) => (await configuration(key)).Server.dashboard_language;

    expect(await replay('locale-update-zh-cn-no-key')).toEqual({ status: 200, type: 'application/json', body: ok('null') });
    expect(await language(local.key)).toBe('zh-cn');
    // No translations are shipped: the current language's table is null, as upstream's English.
    expect(await replay('locale-zh-cn-no-key')).toEqual({ status: 200, type: 'application/json', body: ok('null') });
    expect(await replay('locale-update-unknown-no-key')).toEqual(recorded('locale-update-unknown-no-key'));
    expect(await language(local.key)).toBe('en');

    const path = await request(http).post('/api/locale/update').set('wg-dashboard-apikey', other.key).send({ lang_id: '../../../etc/passwd' }).expect(200);
    expect(path.text).toBe(ok('null'));
    expect(await language(other.key)).toBe('en');
    await request(http).post('/api/locale/update').set('wg-dashboard-apikey', other.key).send({ lang_id: 'ja-jp' }).expect(200);
    expect([await language(other.key), await language(local.key)]).toEqual(['ja-jp', 'en']);
  });

  it('forgets a node’s settings with the node', async () => {
    const gone = await makeNode('short-lived', '198.51.100.42');
    await update(gone.key, { section: 'Server', key: 'dashboard_sort', value: 'name' }).expect(200);
    const count = async () => Number((await app.get(DataSource).query('SELECT count(*) AS n FROM wgd_setting WHERE node_id = $1', [gone.id]))[0].n);
    expect(await count()).toBe(1);
    await app.get(DataSource).query('DELETE FROM node WHERE id = $1', [gone.id]);
    expect(await count()).toBe(0);
  });
});
