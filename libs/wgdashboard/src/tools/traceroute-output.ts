import { pyFloat } from '../python-json.js';
import { pythonRound } from './python-round.js';

/** One hop that answered: its distance (TTL), the address of its last answer, and the answers' times in ms. */
export interface TraceHop {
  distance: number;
  address: string;
  rttsMs: number[];
}

const HOP_LINE = /^\s*(\d+)\s+(.*)$/;

/**
 * Linux traceroute 2.x `-n` output → the hops that answered. Like icmplib (upstream), a probe answered
 * with an ICMP error (`!H`, `!N`, `!X`, …) does not count, and a hop without a counted answer is left out.
 */
export function parseTracerouteOutput(stdout: string): TraceHop[] {
  const hops: TraceHop[] = [];
  for (const line of stdout.split('\n')) {
    const match = HOP_LINE.exec(line);
    if (match === null) continue;
    const tokens = match[2]!.trim().split(/\s+/);
    let current: string | null = null;
    let address: string | null = null;
    const rttsMs: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (/^[0-9]+(\.[0-9]+)?$/.test(token) && tokens[i + 1] === 'ms') {
        i++;
        const annotated = tokens[i + 1]?.startsWith('!') === true;
        if (annotated) i++;
        if (current !== null && !annotated) {
          rttsMs.push(Number(token));
          address = current;
        }
      } else if (/^[0-9A-Fa-f.:]+$/.test(token) && /[.:]/.test(token)) {
        current = token;
      }
    }
    if (address !== null) hops.push({ distance: Number(match[1]), address, rttsMs });
  }
  return hops;
}

const GAP = '*';

/**
 * A row's `geo` when nothing is known of the address: every field upstream asks ip-api.com for
 * (`city,country,lat,lon,query`), empty. wgfleet never asks a geolocation service; upstream's offline
 * answer has no `geo` at all, and WGDashboard's own traceroute page reads `hop.geo.city` on every row
 * (so does a client SDK): without an object there, the page fails to draw the result.
 */
export function unknownGeo(ip: string): Record<string, unknown> {
  return { city: '', country: '', lat: 0, lon: 0, query: ip };
}

/**
 * Upstream's list: each hop with its times (icmplib 2.1.1 rounds them to 3 decimals, floats). Missing
 * distances between hops become `"*"` rows — but, as upstream's loop does it, only once two rows exist.
 * Each row has an empty `geo` (see `unknownGeo`).
 */
export function toWgdTraceroute(hops: readonly TraceHop[]): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const hop of hops) {
    if (rows.length > 1) {
      for (let i = (rows.at(-1)!.hop as number) + 1; i < hop.distance; i++) {
        rows.push({ avg_rtt: GAP, geo: unknownGeo(GAP), hop: i, ip: GAP, max_rtt: GAP, min_rtt: GAP });
      }
    }
    const sum = hop.rttsMs.reduce((a, b) => a + b, 0);
    rows.push({
      avg_rtt: pyFloat(pythonRound(sum / hop.rttsMs.length, 3)),
      geo: unknownGeo(hop.address),
      hop: hop.distance,
      ip: hop.address,
      max_rtt: pyFloat(pythonRound(Math.max(...hop.rttsMs), 3)),
      min_rtt: pyFloat(pythonRound(Math.min(...hop.rttsMs), 3)),
    });
  }
  return rows;
}
