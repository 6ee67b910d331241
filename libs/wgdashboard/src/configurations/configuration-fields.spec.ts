import { checkAddress, checkConfigurationName, checkListenPort, checkPrivateKey, checkStoredText, pythonStr } from './configuration-fields.js';

describe('checkConfigurationName', () => {
  it.each(['wg0', 'wg-office_1', 'a', 'abcdefghijklmno', 'x=y', 'wg.1'])('accepts %s', (name) => {
    expect(checkConfigurationName(name)).toEqual({ ok: true, value: name });
  });

  it.each(['', 'wg;x', '../x', 'wg/x', 'wg"x', "wg'x", 'wg x', '-wg', 'abcdefghijklmnop', '.', '..', 'all', 'wg+', 'wg$(id)', 'wg\n0', 'wgé'])(
    'refuses %j',
    (name) => {
      expect(checkConfigurationName(name)).toEqual({ ok: false, message: expect.stringContaining('Please provide a valid configuration name') });
    },
  );

  it.each(['ifb-wg0', 'ifb=0123abcdef0', 'ifb-'])('refuses %j: the traffic shaping devices are named so', (name) => {
    expect(checkConfigurationName(name)).toEqual({ ok: false, message: expect.stringContaining('reserved for traffic shaping') });
  });

  it.each(['ifb', 'ifb0', 'wg-ifb-1', 'IFB-wg0'])('accepts %j, which no shaping device is named', (name) => {
    expect(checkConfigurationName(name)).toEqual({ ok: true, value: name });
  });

  it.each([null, 7, ['wg0'], { a: 1 }])('refuses the non-string %j', (name) => {
    expect(checkConfigurationName(name).ok).toBe(false);
  });
});

describe('checkPrivateKey', () => {
  it('takes a canonical 32-byte base64 key only', () => {
    expect(checkPrivateKey('qHDJqXPXYsoOgqZT0KEmXF7xHCbzq6e8nE5su7jvoHg=').ok).toBe(true);
    for (const bad of ['', 'qHDJqXPXYsoOgqZT0KEmXF7xHCbzq6e8nE5su7jvoHg', 'qHDJqXPXYsoOgqZT0KEmXF7xHCbzq6e8nE5su7jvoHh=', 'x'.repeat(44), 1]) {
      expect(checkPrivateKey(bad).ok).toBe(false);
    }
  });
});

describe('checkListenPort', () => {
  it.each([
    [51820, 51820],
    ['51820', 51820],
    [' 1 ', 1],
    [65535, 65535],
  ])('reads %j as %d', (given, port) => {
    expect(checkListenPort(given)).toEqual({ ok: true, value: port });
  });

  it.each([0, 65536, -1, 1.5, '0', '051820', '65536', '1e3', '', null, true, [51820]])('refuses %j', (given) => {
    expect(checkListenPort(given)).toEqual({ ok: false, message: 'Please provide a valid listen port: an integer from 1 to 65535' });
  });
});

describe('checkAddress', () => {
  it('reads the IPv4 and optional IPv6 subnets whose first host the server is', () => {
    expect(checkAddress('10.0.20.1/24')).toEqual({ ok: true, value: { ipv4Subnet: '10.0.20.0/24', ipv6Subnet: null } });
    expect(checkAddress('10.0.20.1/24, fd42:66:10::1/64')).toEqual({ ok: true, value: { ipv4Subnet: '10.0.20.0/24', ipv6Subnet: 'fd42:66:10::/64' } });
    expect(checkAddress(' fd42:66:10:0::1/64 ,10.8.0.1/16')).toEqual({ ok: true, value: { ipv4Subnet: '10.8.0.0/16', ipv6Subnet: 'fd42:66:10::/64' } });
  });

  it('says which address to use when the server is not the first host', () => {
    expect(checkAddress('10.0.20.5/24')).toEqual({ ok: false, message: `Address "10.0.20.5/24": the server's address must be the first host of 10.0.20.0/24; use 10.0.20.1/24` });
    expect(checkAddress('10.0.20.0/24')).toEqual({ ok: false, message: `Address "10.0.20.0/24": the server's address must be the first host of 10.0.20.0/24; use 10.0.20.1/24` });
    expect(checkAddress('10.0.20.1/24, fd42::5/64')).toEqual({ ok: false, message: `Address "fd42::5/64": the server's address must be the first host of fd42::/64; use fd42::1/64` });
  });

  it.each([
    ['', 'Please provide a valid address'],
    ['10.0.20.1', 'has no prefix length'],
    ['10.0.20.1/33', 'is not an IP address with a prefix length'],
    ['10.0.20.1/024', 'is not an IP address with a prefix length'],
    ['010.0.20.1/24', 'is not an IP address with a prefix length'],
    ['host/24', 'is not an IP address with a prefix length'],
    ['10.0.20.1/31', 'is too small'],
    ['fd42::1/64', 'exactly one IPv4 address'],
    ['10.0.20.1/24, 10.0.21.1/24', 'exactly one IPv4 address'],
    ['10.0.20.1/24, fd42::1/64, fd43::1/64', 'at most one IPv6 address'],
  ])('refuses %j', (address, message) => {
    const result = checkAddress(address);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it('refuses a non-string', () => {
    expect(checkAddress(['10.0.20.1/24']).ok).toBe(false);
  });
});

describe('checkStoredText', () => {
  it('keeps one line, trimmed; refuses line breaks and non-strings', () => {
    expect(checkStoredText('PostUp', ' iptables -A FORWARD -i %i -j ACCEPT ')).toEqual({ ok: true, value: 'iptables -A FORWARD -i %i -j ACCEPT' });
    expect(checkStoredText('PostUp', 'a\nb')).toEqual({ ok: false, message: 'PostUp must be one line (no line breaks)' });
    expect(checkStoredText('Table', 'a\rb').ok).toBe(false);
    expect(checkStoredText('Table', 5)).toEqual({ ok: false, message: 'Table must be a string' });
  });
});

describe('pythonStr', () => {
  it.each([
    ['51820', '51820'],
    [51820, '51820'],
    [1.5, '1.5'],
    [true, 'True'],
    [null, 'None'],
  ])('str(%j) is %s', (value, text) => {
    expect(pythonStr(value)).toBe(text);
  });
});
