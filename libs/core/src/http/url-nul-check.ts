import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { refuseInput } from './input-refusal.js';

const NUL = '%00';

/**
 * A NUL character (`%00`) in the path or in a query parameter reaches no route: PostgreSQL cannot
 * store or compare one, and no id, name or filter of either API holds one. Checked on the raw URL,
 * because many WGDashboard handlers read `request.query` themselves, past any pipe. Refused as
 * input (see input-refusal.ts) naming where it was.
 */
export function refuseNulInUrl(request: FastifyRequest): void {
  const url = request.url;
  if (!url.includes(NUL)) return;
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const field = path.includes(NUL) ? 'path' : queryFieldWithNul(url.slice(queryAt + 1));
  refuseInput(
    request,
    new AppError('validation_failed', `invalid input — ${field}: must not contain a NUL character (%00); remove it`, [
      { field, message: 'must not contain a NUL character (%00); remove it' },
    ]),
  );
}

function queryFieldWithNul(query: string): string {
  for (const pair of query.split('&')) {
    if (!pair.includes(NUL)) continue;
    const name = pair.split('=', 1)[0];
    if (name.includes(NUL) || !/^[A-Za-z0-9_.\-[\]]{1,64}$/.test(name)) return 'query';
    return `query.${name}`;
  }
  return 'query';
}
