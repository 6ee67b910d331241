import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonJsonDumps } from '../python-json.js';
import { parseTracerouteOutput, toWgdTraceroute } from './traceroute-output.js';

const fixtureData = (name: string) => {
  const body = JSON.parse(readFileSync(join(__dirname, '../../../../test/fixtures/wgdashboard', `${name}.json`), 'utf8')).body as string;
  return body.slice('{"data":'.length, body.indexOf(',"message":'));
};

const HEADER = 'traceroute to 10.9.9.9 (10.9.9.9), 64 hops max, 60 byte packets\n';

describe('parseTracerouteOutput', () => {
  it.each([
    ['one hop', ' 1  127.0.0.1  0.030 ms  0.006 ms\n', [{ distance: 1, address: '127.0.0.1', rttsMs: [0.03, 0.006] }]],
    ['silent hops are left out', ' 1  10.0.0.1  1.000 ms  2.000 ms\n 2  * *\n 3  10.9.9.9  3.000 ms *\n', [
      { distance: 1, address: '10.0.0.1', rttsMs: [1, 2] },
      { distance: 3, address: '10.9.9.9', rttsMs: [3] },
    ]],
    ['two answering addresses: the last one counts, like icmplib', ' 4  10.0.0.1  1.500 ms 10.0.0.2  2.500 ms\n', [
      { distance: 4, address: '10.0.0.2', rttsMs: [1.5, 2.5] },
    ]],
    ['ICMP errors (!H, !N, !X) are not answers', ' 1  10.0.0.1  1.000 ms !H  2.000 ms !H\n 2  10.0.0.2  1.000 ms !X  2.000 ms\n', [
      { distance: 2, address: '10.0.0.2', rttsMs: [2] },
    ]],
    ['IPv6', ' 1  ::1  0.029 ms  0.006 ms\n', [{ distance: 1, address: '::1', rttsMs: [0.029, 0.006] }]],
    ['nothing', '', []],
  ])('%s', (_name, body, expected) => {
    expect(parseTracerouteOutput(HEADER + body)).toEqual(expected);
  });
});

describe('toWgdTraceroute (upstream: icmplib 2.1.1 hops, its gap rule, no geo)', () => {
  it('gives the recorded loopback hop byte for byte (traceroute-execute-loopback.json; icmplib averaged unrounded times)', () => {
    const loopback = [{ distance: 1, address: '127.0.0.1', rttsMs: [0.0254, 0.1544] }];
    expect(pythonJsonDumps(toWgdTraceroute(loopback))).toBe(fixtureData('traceroute-execute-loopback'));
  });

  const hop = (distance: number) => ({ distance, address: `10.0.0.${distance}`, rttsMs: [1] });
  const shape = (rows: Array<Record<string, unknown>>) => rows.map((row) => `${String(row.hop)}${row.ip === '*' ? '*' : ''}`);

  it.each([
    ['no gap before two rows exist', [1, 3], ['1', '3']],
    ['gaps filled once two rows exist', [1, 3, 6], ['1', '3', '4*', '5*', '6']],
    ['consecutive hops', [1, 2, 3], ['1', '2', '3']],
    ['first hop far away', [5, 6, 9], ['5', '6', '7*', '8*', '9']],
    ['nothing', [], []],
  ])('%s', (_name, distances, expected) => {
    expect(shape(toWgdTraceroute(distances.map(hop)))).toEqual(expected);
  });

  it('writes gap rows with "*" strings and times as rounded floats', () => {
    const rows = toWgdTraceroute([hop(1), { distance: 2, address: '10.0.0.2', rttsMs: [1, 2, 2.0004] }, hop(4)]);
    expect(pythonJsonDumps(rows)).toBe(
      '[{"avg_rtt":1.0,"hop":1,"ip":"10.0.0.1","max_rtt":1.0,"min_rtt":1.0},' +
        '{"avg_rtt":1.667,"hop":2,"ip":"10.0.0.2","max_rtt":2.0,"min_rtt":1.0},' +
        '{"avg_rtt":"*","hop":3,"ip":"*","max_rtt":"*","min_rtt":"*"},' +
        '{"avg_rtt":1.0,"hop":4,"ip":"10.0.0.4","max_rtt":1.0,"min_rtt":1.0}]',
    );
  });
});
