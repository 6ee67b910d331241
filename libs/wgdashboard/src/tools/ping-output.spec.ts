import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJsonDumps } from '../python-json.js';
import { parsePingOutput, toWgdPing } from './ping-output.js';

const fixtureData = (name: string) => {
  const body = JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/wgdashboard', `${name}.json`), 'utf8')).body as string;
  return body.slice('{"data":'.length, body.indexOf(',"message":'));
};

const LOOPBACK = `PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.082 ms

--- 127.0.0.1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.082/0.082/0.082/0.000 ms
`;

describe('parsePingOutput + toWgdPing (upstream: icmplib 2.1.1 Host)', () => {
  it('gives the recorded loopback answer byte for byte (ping-execute-loopback.json)', () => {
    expect(pythonJsonDumps(toWgdPing(parsePingOutput(LOOPBACK)!))).toBe(fixtureData('ping-execute-loopback'));
  });

  it.each([
    [
      'several replies, a host name resolved',
      `PING localhost (127.0.0.1) 56(84) bytes of data.
64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.278 ms
64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.040 ms

--- localhost ping statistics ---
2 packets transmitted, 2 received, 0% packet loss, time 1023ms
rtt min/avg/max/mdev = 0.040/0.159/0.278/0.119 ms
`,
      '{"address":"127.0.0.1","avg_rtt":0.159,"geo":null,"is_alive":true,"max_rtt":0.278,"min_rtt":0.04,"package_loss":0.0,"package_received":2,"package_sent":2}',
    ],
    [
      'IPv6 (iputils prints no space before the parenthesis)',
      `PING ::1(::1) 56 data bytes
64 bytes from ::1: icmp_seq=1 ttl=64 time=0.073 ms

--- ::1 ping statistics ---
1 packets transmitted, 1 received, 0% packet loss, time 0ms
rtt min/avg/max/mdev = 0.073/0.073/0.073/0.000 ms
`,
      '{"address":"::1","avg_rtt":0.073,"geo":null,"is_alive":true,"max_rtt":0.073,"min_rtt":0.073,"package_loss":0.0,"package_received":1,"package_sent":1}',
    ],
    [
      'nothing answered: zero times as floats, loss 1.0, not alive',
      `PING 198.18.9.9 (198.18.9.9) 56(84) bytes of data.

--- 198.18.9.9 ping statistics ---
3 packets transmitted, 0 received, 100% packet loss, time 2041ms
`,
      '{"address":"198.18.9.9","avg_rtt":0.0,"geo":null,"is_alive":false,"max_rtt":0.0,"min_rtt":0.0,"package_loss":1.0,"package_received":0,"package_sent":3}',
    ],
    [
      'one of three lost, with errors: loss rounded to 3 decimals',
      `PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.
64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=12.3 ms
From 10.0.0.254 icmp_seq=2 Destination Host Unreachable
64 bytes from 10.0.0.1: icmp_seq=3 ttl=64 time=14.1 ms

--- 10.0.0.1 ping statistics ---
3 packets transmitted, 2 received, +1 errors, 33.3333% packet loss, time 2003ms
rtt min/avg/max/mdev = 12.345/13.2225/14.100/0.877 ms
`,
      '{"address":"10.0.0.1","avg_rtt":13.223,"geo":null,"is_alive":true,"max_rtt":14.1,"min_rtt":12.345,"package_loss":0.333,"package_received":2,"package_sent":3}',
    ],
  ])('%s', (_name, output, expected) => {
    expect(pythonJsonDumps(toWgdPing(parsePingOutput(output)!))).toBe(expected);
  });

  it.each([[''], ['ping: nosuch.example: Name or service not known\n'], ['ping: connect: Network is unreachable\n'], ['PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n']])(
    'has no statistics in %j',
    (output) => {
      expect(parsePingOutput(output)).toBeNull();
    },
  );
});
