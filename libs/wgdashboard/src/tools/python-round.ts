/**
 * Python's `round(x, digits)` for the floats psutil and icmplib round: the exact binary value rounded
 * to `digits` decimals, an exact tie to the even digit (`round(0.25, 1) == 0.2`, where JS `toFixed`
 * gives 0.3). `toFixed(40)` is exact enough to see a tie: a double near a tie is far more than 1e-40 from it.
 */
export function pythonRound(value: number, digits: number): number {
  if (!Number.isFinite(value)) return value;
  const rounded = Number(value.toFixed(digits));
  const exact = Math.abs(value).toFixed(40);
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(tail)) return rounded;
  // A tie: toFixed went away from zero; step back when that made the last digit odd.
  const scaled = Math.round(Math.abs(rounded) * 10 ** digits);
  if (scaled % 2 === 0) return rounded;
  const even = (scaled - 1) / 10 ** digits;
  return value < 0 ? -even : even;
}
