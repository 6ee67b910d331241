import { pythonJsonDumps } from '../python-json.js';
import { dashboardConfiguration, settingId, storedText, typedSetting, type SettingFacts } from './dashboard-settings.js';

const FACTS: SettingFacts = {
  remoteEndpoint: '198.51.100.7',
  appIp: '127.0.0.1',
  appPort: '8080',
  appPrefix: '',
  email: { server: '', port: '', encryption: '', username: '', send_from: '' },
};

describe('dashboard settings', () => {
  it.each([
    ['1', true],
    ['yes', true],
    ['true', true],
    ['on', true],
    ['0', false],
    ['no', false],
    ['false', false],
    ['off', false],
    ['True', 'True'],
    ['1420', '1420'],
    ['', ''],
  ])('types the stored text %j as %j (upstream GetConfig)', (text, typed) => {
    expect(typedSetting('Peers', 'peer_mtu', text)).toBe(typed);
  });

  it('types autostart as its ||-joined list', () => {
    expect(typedSetting('WireGuardConfiguration', 'autostart', '')).toEqual([]);
    expect(typedSetting('WireGuardConfiguration', 'autostart', 'wg0||wg1')).toEqual(['wg0', 'wg1']);
  });

  it.each([
    ['text', 'text'],
    [true, 'true'],
    [false, 'false'],
    [1420, '1420'],
    [1.5, '1.5'],
    [1e21, '1000000000000000000000'],
    [['wg0', 'wg1'], 'wg0||wg1'],
    [['|wg0', 'wg1|'], 'wg0||wg1'],
    [null, null],
    [{ a: 1 }, null],
    [[1], null],
  ])('stores %j as %j (upstream SetConfig)', (value, text) => {
    expect(storedText(value)).toBe(text);
  });

  it('shows every section with upstream defaults, the node’s address, no password and no hidden key', () => {
    const view = dashboardConfiguration(new Map(), FACTS);
    expect(pythonJsonDumps(view)).toBe(
      '{"Account":{"enable_totp":false,"password":"","totp_verified":false,"username":"admin"},"Database":{"type":"sqlite"},' +
        '"Email":{"email_password":"","email_template":"","encryption":"","port":"","send_from":"","server":"","username":""},' +
        '"Other":{"welcome_session":true},"Peers":{"peer_display_mode":"grid","peer_endpoint_allowed_ip":"0.0.0.0/0","peer_global_dns":"1.1.1.1",' +
        '"peer_keep_alive":"21","peer_mtu":"1420","remote_endpoint":"198.51.100.7"},"Server":{"app_ip":"127.0.0.1","app_port":"8080","app_prefix":"",' +
        '"awg_conf_path":"/etc/amnezia/amneziawg","dashboard_api_key":true,"dashboard_language":"en","dashboard_peer_list_display":"grid",' +
        '"dashboard_refresh_interval":"60000","dashboard_sort":"status","dashboard_theme":"dark","version":"v4.2.5","wg_conf_path":"/etc/wireguard"},' +
        '"WireGuardConfiguration":{"autostart":[]}}',
    );
  });

  it('shows stored values over defaults, but never over a fixed or refused setting', () => {
    const overrides = new Map([
      [settingId('Server', 'dashboard_theme'), 'light'],
      [settingId('Other', 'welcome_session'), 'false'],
      [settingId('Server', 'version'), 'v9'],
      [settingId('Account', 'password'), '$2b$12$hash'],
    ]);
    const view = dashboardConfiguration(overrides, { ...FACTS, email: { ...FACTS.email, server: 'smtp.example.com', port: '587' } });
    expect(view.Server).toMatchObject({ dashboard_theme: 'light', version: 'v4.2.5' });
    expect(view.Other).toEqual({ welcome_session: false });
    expect(view.Account!.password).toBe('');
    expect(view.Email).toMatchObject({ server: 'smtp.example.com', port: '587', email_password: '' });
  });
});
