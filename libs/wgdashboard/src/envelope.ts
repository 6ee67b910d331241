import { pythonJsonDumps } from './python-json.js';

/**
 * The exact body of WGDashboard's `ResponseObject` (notes §1.2): `{"data":…,"message":…,"status":…}`
 * with sorted keys and Python number formatting, plus the newline Flask appends after JSON.
 * `status` is a bool except in `email/ready` (an int); `message` is null, a string, or a bool (`/authenticate`).
 * Floats inside `data` must be wrapped with `pyFloat()`.
 */
export function envelope(status: boolean | number, message: string | boolean | null = null, data: unknown = null): string {
  return `${pythonJsonDumps({ data, message, status })}\n`;
}
