import { PROBE_COUNT, probeTarget } from '@wgfleet/node-sync';

/** What a checked query asks for, or the failure to answer: upstream's texts, our bound and 400 where upstream crashes. */
export type ToolParams<T> = { ok: true; value: T } | { ok: false; message: string; httpStatus: 200 | 400 };

/** Flask's `request.args[name]`: the first value when a name repeats; absent is undefined. */
function arg(query: unknown, name: string): string | undefined {
  if (typeof query !== 'object' || query === null || !Object.hasOwn(query, name)) return undefined;
  const value = (query as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

const BAD_TARGET = 'Please specify an IP Address (v4/v6) or a host name (letters, digits, dots and hyphens)';

/** §2.42: both present, a non-empty address and a numeric count (upstream's checks and texts), then ours. */
export function pingParams(query: unknown): ToolParams<{ address: string; count: number }> {
  const address = arg(query, 'ipAddress');
  const count = arg(query, 'count');
  if (address === undefined || count === undefined) return { ok: false, message: 'Please provide ipAddress and count', httpStatus: 200 };
  if (address === '' || !/^[0-9]+$/.test(count)) return { ok: false, message: 'Please specify an IP Address (v4/v6)', httpStatus: 200 };
  const n = Number(count);
  if (n < PROBE_COUNT.min || n > PROBE_COUNT.max) {
    return { ok: false, message: `Please specify a count from ${PROBE_COUNT.min} to ${PROBE_COUNT.max}`, httpStatus: 200 };
  }
  const target = probeTarget(address);
  // Upstream hands anything to icmplib, whose name lookup error becomes an HTML 500.
  if (target === null) return { ok: false, message: BAD_TARGET, httpStatus: 400 };
  return { ok: true, value: { address: target, count: n } };
}

/** §2.43: present and non-empty (upstream's text), then a valid target. */
export function tracerouteParams(query: unknown): ToolParams<{ address: string }> {
  const address = arg(query, 'ipAddress');
  if (address === undefined || address === '') return { ok: false, message: 'Please provide ipAddress', httpStatus: 200 };
  const target = probeTarget(address);
  if (target === null) return { ok: false, message: BAD_TARGET, httpStatus: 400 };
  return { ok: true, value: { address: target } };
}
