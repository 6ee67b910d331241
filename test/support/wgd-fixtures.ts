import request from 'supertest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One exchange recorded from the real WGDashboard 4.2.5 (scripts/wgdashboard-oracle, test/fixtures/wgdashboard/README.md). */
export interface WgdFixture {
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: string;
}

/** The key the recorder sent; a test replaying a fixture sends its own key in its place. */
export const ORACLE_KEY = 'wgfleetOracleThrowawayKey_00000000000000000';

export function wgdFixture(name: string): WgdFixture {
  return JSON.parse(readFileSync(join(__dirname, '../fixtures/wgdashboard', `${name}.json`), 'utf8')) as WgdFixture;
}

/**
 * Sends a recorded request again: our `key` where the recorder sent its own, and `swap` applied to
 * the path and body (to put our ids in place of the recorded ones).
 */
export function replayFixture(http: Parameters<typeof request>[0], name: string, key: string, swap: (text: string) => string = (text) => text): request.Test {
  const { request: recorded } = wgdFixture(name);
  let call = request(http)[recorded.method.toLowerCase() as 'get' | 'post'](swap(recorded.path));
  if ('wg-dashboard-apikey' in recorded.headers) call = call.set('wg-dashboard-apikey', key);
  return typeof recorded.body === 'string' ? call.set('content-type', 'application/json').send(swap(recorded.body)) : call;
}
