import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { refuseInput } from './input-refusal.js';

/**
 * How deep objects and arrays may nest in a body. No body of either API comes near it (the
 * deepest, WGDashboard's savePeerScheduleJob, is 2); class-transformer and class-validator recurse
 * once per level, and a few thousand levels overflow their stack.
 */
export const MAX_BODY_DEPTH = 32;

/** The methods whose routes read a body: only there is an empty JSON body a mistake. */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** What else Fastify's parser refuses in JSON that parses: a `__proto__` or `constructor.prototype` key. */
const PROTOTYPE_KEY_MESSAGE = 'the request body holds a "__proto__" or "constructor": {"prototype": …} key, which no field of this API has; remove it';

/**
 * JSON is the only body the API takes: every other content type is a 415 from Fastify. The
 * parser is Fastify's own (prototype-poisoning checks kept). A body is refused here, before any
 * route sees it, when it is empty, not JSON, nested deeper than MAX_BODY_DEPTH, not a JSON object
 * (null, an array, a string, a number, a boolean: no route takes one), or when a string or key in
 * it holds a NUL character (PostgreSQL cannot store one). The refusal is answered through the
 * route's own error format (see input-refusal.ts), not from the parser.
 * Needs `bodyParser: false` on the Nest app, which would otherwise add its own parsers.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = raw as string;
    const refuse = (error: AppError) => {
      // No route will run for an unknown path: its not-found answer would hide what is wrong.
      if (request.is404) return done(error, undefined);
      refuseInput(request, error);
      done(null, undefined);
    };
    if (body.length === 0) {
      // Many HTTP clients label every request JSON; a DELETE, GET or preflight with nothing in it has no body to refuse.
      if (!METHODS_WITH_BODY.has(request.method)) return done(null, undefined);
      return refuse(new AppError('malformed_json', 'the request body is empty; send a JSON object'));
    }
    // Before JSON.parse: a body too deep is refused without building it.
    if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
      return refuse(
        new AppError('body_too_deep', `the request body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep; send at most ${MAX_BODY_DEPTH}`),
      );
    }
    parse(request, body, (error, value: unknown) => {
      if (error) return refuse(new AppError('malformed_json', isJson(body) ? PROTOTYPE_KEY_MESSAGE : 'the request body is not valid JSON; check its quotes, commas and brackets'));
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return refuse(new AppError('body_not_object', `the request body is ${describe(value)}; send a JSON object ({"field": value, ...})`));
      }
      // JSON text cannot hold a raw NUL: one can only come from the escape \u0000, so most bodies skip the walk.
      const field = body.includes('\\u0000') ? nulFieldOf(value) : null;
      if (field !== null) {
        return refuse(
          new AppError('validation_failed', `invalid input — ${field}: must not contain a NUL character (\\u0000); remove it`, [
            { field, message: 'must not contain a NUL character (\\u0000); remove it' },
          ]),
        );
      }
      done(null, value);
    });
  });
}

/**
 * True when the JSON text opens more than `limit` nested objects or arrays. A linear scan of the
 * text (brackets inside strings do not count), so neither it nor JSON.parse ever meets the depth.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * The dotted path of a key or string holding U+0000, or null. Iterative, so no depth overflows it;
 * the path is shown with control characters escaped and cut at 100 characters.
 */
export function nulFieldOf(root: object): string | null {
  const pending: Array<[unknown, string]> = [[root, '']];
  while (pending.length > 0) {
    const [value, path] = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\0')) return printable(path);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push([item, `${path}[${index}]`]));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\0')) return printable(at);
        pending.push([item, at]);
      }
    }
  }
  return null;
}

function printable(path: string): string {
  const escaped = path.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > 100 ? `${escaped.slice(0, 100)}…` : escaped;
}

/** Fastify's parser says only "invalid JSON"; plain JSON.parse (depth already bounded) tells a poisoning key from a syntax error. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
