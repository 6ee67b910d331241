import type { FastifyReply, FastifyRequest } from 'fastify';

/** flask-cors' `methods` as upstream configures them, sent back as one string. */
const ALLOWED_METHODS = 'DELETE, POST, GET, OPTIONS';
/** flask-cors' `allow_headers` as upstream configures them, matched without regard to case. */
const ALLOWED_HEADERS = ['content-type', 'wg-dashboard-apikey'];

/**
 * Upstream's flask-cors answer on `/api/*` (notes §1.1, recorded): a request with an `Origin` gets
 * that origin back with `Vary: Origin`, one without gets `*`. An `OPTIONS` naming a method upstream
 * allows (flask-cors checks it as a substring of the list above) is a preflight: it also gets
 * `Access-Control-Allow-Methods` and, of the headers it asks for, those allowed (in any case, sent
 * back as asked), sorted.
 */
export function applyWgdCors(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    // Before what the handler varies on (`Cookie`, where upstream touched its session): flask-cors' order.
    const vary = reply.getHeader('vary');
    void reply.header('access-control-allow-origin', origin).header('vary', typeof vary === 'string' && vary !== '' && vary !== 'Origin' ? `Origin, ${vary}` : 'Origin');
  } else void reply.header('access-control-allow-origin', '*');
  if (request.method !== 'OPTIONS') return;
  const method = request.headers['access-control-request-method'];
  if (typeof method !== 'string' || method === '' || !ALLOWED_METHODS.includes(method.toUpperCase())) return;
  const allowHeaders = allowedRequestHeaders(request.headers['access-control-request-headers']);
  if (allowHeaders !== '') void reply.header('access-control-allow-headers', allowHeaders);
  void reply.header('access-control-allow-methods', ALLOWED_METHODS);
}

function allowedRequestHeaders(requested: string | string[] | undefined): string {
  if (typeof requested !== 'string') return '';
  return requested
    .split(',')
    .map((name) => name.trim())
    .filter((name) => ALLOWED_HEADERS.includes(name.toLowerCase()))
    .sort()
    .join(', ');
}
