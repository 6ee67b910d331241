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
