import { pyFloat } from '../python-json.js';
import { pythonRound } from './python-round.js';

/** What iputils `ping -n` reported: the address it pinged (a name resolved) and its statistics. */
export interface PingSummary {
  address: string;
  sent: number;
  received: number;
  /** Milliseconds; 0 when nothing answered. */
  minMs: number;
  avgMs: number;
  maxMs: number;
}

const HEADER = /^PING .*?\(([0-9A-Fa-f.:]+)\)/m;
const COUNTS = /^(\d+) packets transmitted, (\d+) received/m;
const RTTS = /^(?:rtt|round-trip) min\/avg\/max\/(?:mdev|stddev) = ([0-9.]+)\/([0-9.]+)\/([0-9.]+)\//m;

/** Null when the text holds no statistics (ping stopped before sending: unknown host, no route, …). */
export function parsePingOutput(stdout: string): PingSummary | null {
  const header = HEADER.exec(stdout);
  const counts = COUNTS.exec(stdout);
  if (header === null || counts === null) return null;
  const rtts = RTTS.exec(stdout);
  const [minMs, avgMs, maxMs] = rtts === null ? [0, 0, 0] : [Number(rtts[1]), Number(rtts[2]), Number(rtts[3])];
  return { address: header[1]!, sent: Number(counts[1]), received: Number(counts[2]), minMs, avgMs, maxMs };
}

/**
 * Upstream's answer from icmplib 2.1.1's Host (the version the fixtures were recorded with): times in ms
 * and the loss ratio rounded to 3 decimals, as floats; alive when anything answered. `geo` is always
 * null: wgfleet never asks a geolocation service (upstream's answer when ip-api.com is unreachable).
 */
export function toWgdPing(summary: PingSummary): Record<string, unknown> {
  const loss = summary.sent === 0 ? 0 : 1 - summary.received / summary.sent;
  return {
    address: summary.address,
    avg_rtt: pyFloat(pythonRound(summary.avgMs, 3)),
    geo: null,
    is_alive: summary.received > 0,
    max_rtt: pyFloat(pythonRound(summary.maxMs, 3)),
    min_rtt: pyFloat(pythonRound(summary.minMs, 3)),
    package_loss: pyFloat(pythonRound(loss, 3)),
    package_received: summary.received,
    package_sent: summary.sent,
  };
}
