import { loadConfig } from './app-config.js';
import { parseTrustedProxies } from './trusted-proxies.js';

describe('TRUST_PROXY', () => {
  it.each([
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['127.0.0.1, 172.16.0.0/12,fd42::/48', ['127.0.0.1', '172.16.0.0/12', 'fd42::/48']],
    ['::1', ['::1']],
  ])('reads %j', (text, expected) => {
    expect(parseTrustedProxies(text)).toEqual(expected);
  });

  it.each(['true', '*', '10.0.0.0/33', '10.0.0.1/8/8', 'lb.example', '10.0.0.1,', 'fd42::/129'])('refuses %j', (text) => {
    expect(parseTrustedProxies(text)).toBeNull();
    expect(() => loadConfig({ TRUST_PROXY: text })).toThrow(/TRUST_PROXY must be addresses or CIDRs separated by commas/);
  });

  it('is unset by default: no forwarded header is believed', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY).toBe('10.0.0.0/8');
  });
});
