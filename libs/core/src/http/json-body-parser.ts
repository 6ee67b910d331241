import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';

/**
 * JSON is the only body the API takes: every other content type is a 415 from Fastify. The
 * parser is Fastify's own (prototype-poisoning checks kept) failing with our own error, since
 * Nest turns Fastify's parser errors into bare HttpExceptions that no longer say what was wrong.
 * Needs `bodyParser: false` on the Nest app, which would otherwise add its own parsers.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = raw as string;
    if (body.length === 0) {
      done(new AppError('malformed_json', 'the request body is empty; send a JSON object'), undefined);
      return;
    }
    parse(request, body, (error, value) => {
      if (error) done(new AppError('malformed_json', 'the request body is not valid JSON; check its quotes, commas and brackets'), undefined);
      else done(null, value);
    });
  });
}
