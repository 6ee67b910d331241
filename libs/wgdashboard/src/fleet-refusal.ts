import { AppError, ERROR_STATUS } from '@wgfleet/core';

/** A write that went through, or the fleet's reason for refusing it. */
export type Refusable<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Runs a write of the fleet's services; their refusals (4xx AppErrors: a taken port or address, an
 * overlapping subnet, users outside a new subnet, a race lost) come back as the message a
 * WGDashboard answer carries with `status:false`. Anything else is a real failure and is thrown.
 */
export async function refusalOf<T>(work: () => Promise<T>): Promise<Refusable<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof AppError && ERROR_STATUS[error.code] < 500) return { ok: false, message: error.message };
    throw error;
  }
}
