import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { sendProblem } from '../errors/http-error.filter.js';

/** Fastify's words for the URLs its router refuses before any route or hook runs. */
const MESSAGES: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: "the URL's percent-encoding is malformed; encode each reserved byte as %XX",
  FST_ERR_MAX_PARAM_LENGTH: 'a path segment is longer than 100 characters; ids and names are shorter',
};

/**
 * Fastify's `frameworkErrors`: a URL its router cannot take (bad percent-encoding, an overlong path
 * parameter) is answered by Fastify itself in its own JSON, past every filter. This answers it as
 * any other refusal of the app: a 400 problem+json saying what to fix. No route was matched, so
 * there is no API whose own format to use.
 */
export function answerFrameworkError(error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const message = MESSAGES[error.code ?? ''] ?? 'the request could not be routed; check its URL';
  sendProblem(new AppError('bad_request', message), request, reply, { error: () => undefined });
}
