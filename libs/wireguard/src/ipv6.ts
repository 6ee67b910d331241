import { bigIntToGroups, groupsToBigInt } from './ip-groups.js';

const COLON = 58;
const GROUPS = 8;

/**
 * IPv6 text (with or without `::`) to its eight 16-bit groups, or null. Zone ids (`%eth0`) and
 * embedded dotted IPv4 tails are refused: neither belongs in a WireGuard config.
 */
export function parseIpv6Groups(text: string): number[] | null {
  const groups: number[] = [];
  let gapAt = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return null;
    gapAt = 0;
    i = 2;
  }
  while (i < text.length) {
    let value = 0;
    let digits = 0;
    for (let digit = hexValue(text.charCodeAt(i)); digit >= 0; digit = hexValue(text.charCodeAt(++i))) {
      if (++digits > 4) return null;
      value = value * 16 + digit;
    }
    if (digits === 0) return null;
    groups.push(value);
    if (i === text.length) break;
    if (text.charCodeAt(i++) !== COLON || i === text.length) return null;
    if (text.charCodeAt(i) === COLON) {
      if (gapAt >= 0) return null;
      gapAt = groups.length;
      i++;
    }
  }
  if (gapAt < 0) return groups.length === GROUPS ? groups : null;
  if (groups.length > GROUPS - 1) return null;
  return [...groups.slice(0, gapAt), ...new Array<number>(GROUPS - groups.length).fill(0), ...groups.slice(gapAt)];
}

function hexValue(char: number): number {
  if (char >= 48 && char <= 57) return char - 48;
  if (char >= 97 && char <= 102) return char - 87;
  if (char >= 65 && char <= 70) return char - 55;
  return -1;
}

/** Canonical RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  const run = longestZeroRun(groups);
  const text = groups.map((group) => group.toString(16));
  if (run.length < 2) return text.join(':');
  return `${text.slice(0, run.start).join(':')}::${text.slice(run.start + run.length).join(':')}`;
}

function longestZeroRun(groups: readonly number[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start > best.length) best = { start, length: i - start };
      start = -1;
    }
  }
  return best;
}

export function ipv6ToBigInt(text: string): bigint | null {
  const groups = parseIpv6Groups(text);
  return groups === null ? null : groupsToBigInt(groups);
}

export function bigIntToIpv6(value: bigint): string {
  return formatIpv6Groups(bigIntToGroups(value, GROUPS));
}
