import type { InterfaceCounterSamples } from '@wgfleet/node-sync';
import { pyFloat, type PyFloat } from '../python-json.js';

export type RealtimeTraffic = { recv: PyFloat; sent: PyFloat } | { recv: 0; sent: 0 };

/** Upstream's answer when the interface is not there (ints, not floats). */
export const NO_TRAFFIC: RealtimeTraffic = { recv: 0, sent: 0 };

/**
 * Upstream's `round((after - before) / 1024 / 1024, 3)` over one second, as floats. The counters
 * differ by a whole number of bytes, so the value is n/2^20 and never a decimal tie: rounding the
 * exact binary value half-up (toFixed) gives what Python's round gives.
 */
export function realtimeTraffic(samples: InterfaceCounterSamples | null): RealtimeTraffic {
  if (samples === null) return NO_TRAFFIC;
  const rate = (before: number, after: number) => pyFloat(Number(((after - before) / 1024 / 1024).toFixed(3)));
  return { recv: rate(samples.first.rxBytes, samples.second.rxBytes), sent: rate(samples.first.txBytes, samples.second.txBytes) };
}
