import { WgdHttpError } from '../wgd-result.js';
import { planSettingUpdate } from './setting-update.js';

const fail = (message: string | null) => ({ kind: 'answer', result: { status: false, message, data: null } });

describe('planSettingUpdate (updateDashboardConfigurationItem)', () => {
  it.each([
    [{ section: 'Server' }, fail('Invalid request.')],
    [[], fail('Invalid request.')],
    [{ section: 'Server', key: 'auth_req', value: 'false' }, fail(null)],
    [{ section: 'Nope', key: 'totp_key', value: 'x' }, fail(null)],
    // Deviation: upstream's hidden-key check is case-sensitive and then stores AUTH_REQ as auth_req.
    [{ section: 'Server', key: 'AUTH_REQ', value: 'false' }, fail(null)],
    [{ section: 'Nope', key: 'x', value: 'x' }, fail('Section does not exist')],
    [{ section: 5, key: 'x', value: 'x' }, fail('Section does not exist')],
    [{ section: '__proto__', key: 'x', value: 'x' }, fail('Section does not exist')],
    [{ section: 'Peers', key: 'peer_display_mode23', value: 'x' }, fail('peer_display_mode23 does not exist under Peers')],
    [{ section: 'Peers', key: 'constructor', value: 'x' }, fail('constructor does not exist under Peers')],
    [{ section: 'Peers', key: 'peer_global_dns', value: 'not a dns' }, fail('notadns does not appear to be an valid DNS address')],
    // Deviation: upstream checks only the lower-case spelling and stores this one unchecked.
    [{ section: 'Peers', key: 'peer_global_DNS', value: 'not a dns' }, fail('notadns does not appear to be an valid DNS address')],
    [{ section: 'Peers', key: 'peer_endpoint_allowed_ip', value: 'abc' }, fail("'abc' does not appear to be an IPv4 or IPv6 network")],
    [{ section: 'Server', key: 'version', value: 'v9' }, fail('wgfleet answers as WGDashboard v4.2.5; the version cannot be changed')],
  ])('%j answers %j', (body, plan) => {
    expect(planSettingUpdate(body)).toEqual(plan);
  });

  it.each([
    [{ section: 'Other', key: 'welcome_session', value: false }, 'Other', 'welcome_session', 'false', false],
    [{ section: 'Server', key: 'dashboard_theme', value: 'light' }, 'Server', 'dashboard_theme', 'light', 'light'],
    [{ section: 'Peers', key: 'peer_MTU', value: 1280 }, 'Peers', 'peer_mtu', '1280', '1280'],
    [{ section: 'Peers', key: 'peer_keep_alive', value: 1 }, 'Peers', 'peer_keep_alive', '1', true],
    [{ section: 'WireGuardConfiguration', key: 'autostart', value: ['wg0', 'wg1'] }, 'WireGuardConfiguration', 'autostart', 'wg0||wg1', ['wg0', 'wg1']],
  ])('%j stores %s.%s = %j and answers %j', (body, section, key, text, data) => {
    expect(planSettingUpdate(body)).toEqual({ kind: 'store', section, key, text, data });
  });

  it('answers a fixed setting set to what it already is, without storing it', () => {
    expect(planSettingUpdate({ section: 'Server', key: 'dashboard_api_key', value: true })).toEqual({
      kind: 'answer',
      result: { status: true, message: null, data: true },
    });
    expect(planSettingUpdate({ section: 'Server', key: 'dashboard_api_key', value: 'false' })).toMatchObject({ result: { status: false } });
  });

  it('refuses the password and the Email section with what wgfleet does instead', () => {
    const password = planSettingUpdate({ section: 'Account', key: 'password', value: { currentPassword: 'admin', newPassword: 'x', repeatNewPassword: 'x' } });
    expect(password).toMatchObject({ kind: 'answer', result: { status: false, data: null, message: expect.stringContaining('no dashboard login') } });
    const email = planSettingUpdate({ section: 'Email', key: 'server', value: 'smtp.example.com' });
    expect(email).toMatchObject({ kind: 'answer', result: { status: false, message: expect.stringContaining('SMTP_') } });
    expect(planSettingUpdate({ section: 'Email', key: 'nope', value: '' })).toEqual(fail('nope does not exist under Email'));
  });

  it.each([
    [{ section: 'Peers', key: 'peer_display_mode', value: null }, 'Please send value as a string, a number, a boolean or a list of strings'],
    [{ section: 'Peers', key: 'peer_display_mode', value: { a: 1 } }, 'Please send value as a string, a number, a boolean or a list of strings'],
    [{ section: 'Peers', key: 'peer_global_dns', value: 5 }, 'Please send the value of peer_global_dns as a string'],
    [{ section: 'Peers', key: 5, value: 'x' }, 'Please send key as a string naming an option of Peers'],
    [{ section: ['Peers'], key: 'x', value: 'x' }, 'Please send section as a string, e.g. "Peers"'],
    [{ section: 'Peers', key: 'peer_display_mode', value: 'a\u0000b' }, 'Please send a value without NUL characters'],
  ])('answers HTTP 400 where upstream crashes: %j', (body, message) => {
    let thrown: unknown;
    try {
      planSettingUpdate(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WgdHttpError);
    expect(thrown).toMatchObject({ httpStatus: 400, message });
  });
});
