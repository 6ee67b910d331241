import { Histogram, Registry } from 'prom-client';
import { TalliedHistogram } from './tallied-histogram.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: Array<[string, string, number, number]> = [
  ['GET', '/api/wg/servers', 200, 0.0004],
  ['GET', '/api/wg/servers', 200, 0.001], // on a bound: counted in that bucket (le is "less or equal")
  ['GET', '/api/wg/servers', 200, 0.05],
  ['GET', '/api/wg/users/:id', 404, 3],
  ['POST', '/api/wg/servers/:id/users', 422, 0.2],
  ['GET', '/api/wg/servers', 429, 0.0001],
];

/** Each sample line as `name{sorted labels} value`, so label order does not matter. */
function normalised(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (.+)$/.exec(line)!;
      const labels = (match[2] ?? '').split(/,(?=\w+=")/).filter(Boolean).sort().join(',');
      return `${match[1]}{${labels}} ${Number(match[3])}`;
    })
    .sort();
}

describe('TalliedHistogram', () => {
  it("renders exactly the samples of prom-client's own Histogram for the same observations", async () => {
    const ours = new Registry();
    const tallied = new TalliedHistogram('http_seconds', 'help', BOUNDS, ours);
    const reference = new Registry();
    const histogram = new Histogram({ name: 'http_seconds', help: 'help', labelNames: ['method', 'route', 'status'], buckets: BOUNDS, registers: [reference] });
    for (const [method, route, status, seconds] of OBSERVATIONS) {
      tallied.tally.record(method, route, status, seconds);
      histogram.observe({ method, route, status }, seconds);
    }
    const [mine, theirs] = [normalised(await ours.metrics()), normalised(await reference.metrics())];
    expect(mine).toEqual(theirs);
    expect(mine).toContain('http_seconds_count{method="GET",route="/api/wg/servers",status="200"} 3');
    expect(mine).toContain('http_seconds_bucket{le="0.001",method="GET",route="/api/wg/servers",status="200"} 2');
    expect(await ours.metrics()).toContain('# TYPE http_seconds histogram');
  });

  it('starts again from nothing on reset', async () => {
    const registry = new Registry();
    const tallied = new TalliedHistogram('http_seconds', 'help', BOUNDS, registry);
    tallied.tally.record('GET', '/health', 200, 0.001);
    registry.resetMetrics();
    expect(normalised(await registry.metrics())).toEqual([]);
  });
});
