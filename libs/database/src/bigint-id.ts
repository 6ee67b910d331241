import type { ValueTransformer } from 'typeorm';

/** pg returns bigint columns as strings; wgfleet's ids stay far below 2^53, so numbers are safe. */
export const bigintId: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** pg returns numeric columns as strings too; ours (rates, ≤ 10000 with three decimals) are exact enough as doubles. */
export const numericNumber: ValueTransformer = bigintId;
