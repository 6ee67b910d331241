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

// What upstream's offline answer lacks: each row's empty geo, which WGDashboard's page reads (hop.geo.city).
const withGeo = (rows: string) => rows.replace(/"hop":/g, (match, offset: number) => `"geo":{"city":"","country":"","lat":0,"lon":0,"query":"${ipAfter(rows, offset)}"},${match}`);
const ipAfter = (rows: string, offset: number) => /"ip":"([^"]*)"/.exec(rows.slice(offset))![1];

describe('toWgdTraceroute (upstream: icmplib 2.1.1 hops, its gap rule; an empty geo on every row)', () => {
  it('gives the recorded loopback hop byte for byte, plus its geo (traceroute-execute-loopback.json; icmplib averaged unrounded times)', () => {
    const loopback = [{ distance: 1, address: '127.0.0.1', rttsMs: [0.0254, 0.1544] }];
    expect(pythonJsonDumps(toWgdTraceroute(loopback))).toBe(withGeo(fixtureData('traceroute-execute-loopback')));
    expect(pythonJsonDumps(toWgdTraceroute(loopback))).toContain('"geo":{"city":"","country":"","lat":0,"lon":0,"query":"127.0.0.1"},"hop":1');
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

  it('writes gap rows with "*" strings and times as rounded floats, every row with a geo object', () => {
    const rows = toWgdTraceroute([hop(1), { distance: 2, address: '10.0.0.2', rttsMs: [1, 2, 2.0004] }, hop(4)]);
    const geo = (ip: string) => `"geo":{"city":"","country":"","lat":0,"lon":0,"query":"${ip}"}`;
    expect(pythonJsonDumps(rows)).toBe(
      `[{"avg_rtt":1.0,${geo('10.0.0.1')},"hop":1,"ip":"10.0.0.1","max_rtt":1.0,"min_rtt":1.0},` +
        `{"avg_rtt":1.667,${geo('10.0.0.2')},"hop":2,"ip":"10.0.0.2","max_rtt":2.0,"min_rtt":1.0},` +
        `{"avg_rtt":"*",${geo('*')},"hop":3,"ip":"*","max_rtt":"*","min_rtt":"*"},` +
        `{"avg_rtt":1.0,${geo('10.0.0.4')},"hop":4,"ip":"10.0.0.4","max_rtt":1.0,"min_rtt":1.0}]`,
    );
  });
});
