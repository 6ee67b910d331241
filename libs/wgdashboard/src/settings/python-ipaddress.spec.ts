import { isPythonIpAddress, isPythonIpNetwork } from './python-ipaddress.js';

// [text, ipaddress.ip_network(text, strict=False) succeeds, ipaddress.ip_address(text) succeeds], as Python 3.11.7 answered.
const PYTHON_311: Array<[string, boolean, boolean]> = [
  ['0.0.0.0/0', true, false],
  ['10.0.0.1/8', true, false],
  ['10.0.0.0/255.0.0.0', true, false],
  ['10.0.0.0/0.0.0.255', true, false],
  ['10.0.0.0/255.0.255.0', false, false],
  ['10.0.0.0/33', false, false],
  ['10.0.0.0/08', true, false],
  ['10.0.0.0/', false, false],
  ['1.2.3', false, false],
  ['01.2.3.4', false, false],
  ['1.2.3.256', false, false],
  ['::/0', true, false],
  ['::', true, true],
  ['::1/128', true, false],
  ['fe80::/129', false, false],
  ['1::2::3', false, false],
  ['2001:db8::/32', true, false],
  ['::ffff:1.2.3.4/120', true, false],
  ['1:2:3:4:5:6:7:8', true, true],
  ['1:2:3:4:5:6:7:8:9', false, false],
  ['1:2:3:4:5:6:7::', true, true],
  ['::1:2:3:4:5:6:7', true, true],
  [':1:2:3:4:5:6:7:8', false, false],
  ['1:2:3:4:5:6::7:8', false, false],
  ['12345::', false, false],
  ['abc', false, false],
  ['', false, false],
  ['1.2.3.4/32/1', false, false],
  ['1.2.3.4 ', false, false],
  ['1:2:3:4:5:6:1.2.3.4', true, true],
  ['1:2:3:4:5:6:7:1.2.3.4', false, false],
  ['::1.2.3', false, false],
  ['g::1', false, false],
  ['10.0.0.0/+8', false, false],
  ['10.0.0.0/ 8', false, false],
  ['1.2.3.4/0.0.0.0', true, false],
  ['1.2.3.4/255.255.255.255', true, false],
];

describe('Python ipaddress, as upstream validates settings', () => {
  it.each(PYTHON_311)('%j: network %s, address %s', (text, network, address) => {
    expect([isPythonIpNetwork(text), isPythonIpAddress(text)]).toEqual([network, address]);
  });

  it('refuses IPv6 scope ids, which Python takes with any character after the %', () => {
    expect(isPythonIpAddress('fe80::1%eth0')).toBe(false);
    expect(isPythonIpNetwork('fe80::%a\nPostUp=x/64')).toBe(false);
  });
});
