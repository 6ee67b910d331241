import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Upstream's flask-cors answer on `/api/*` (notes §1.1, recorded): a request with an `Origin` gets
 * that origin back with `Vary: Origin`, one without gets `*`.
 */
export function applyWgdCors(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '') void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  else void reply.header('access-control-allow-origin', '*');
}
