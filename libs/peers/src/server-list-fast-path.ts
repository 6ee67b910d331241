import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { RequestAuthenticator } from '@wgfleet/accounts';
import { DEFAULT_PAGE_LIMIT, type Principal } from '@wgfleet/core';
import { ServerListCache } from './server-list-cache.js';

export const SERVER_LIST_PATH = '/api/wg/servers';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const FIRST_PAGE = { limit: DEFAULT_PAGE_LIMIT, afterId: 0 };

/**
 * `GET /api/wg/servers` is what customers' automation polls. Nest's pipeline (guards, pipes,
 * interceptors, the handler's observable) costs as much per request as all of Fastify, so a
 * request for the first page whose page is already cached is answered from a Fastify hook: the
 * same RequestAuthenticator (key, limit, headers) and the very text CustomerServersController
 * cached. Everything else — a miss, a query string, a refused key — goes on to Nest unchanged,
 * and the guard there reuses this request's authorization instead of counting it twice.
 */
@Injectable()
export class ServerListFastPath {
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly cache: ServerListCache,
  ) {}

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' || request.url !== SERVER_LIST_PATH) return;
      let principal: Principal;
      try {
        principal = await this.authenticator.authorize(request, reply);
      } catch {
        return; // Nest's guard answers with this same outcome, through the app's error filter.
      }
      const page = this.cache.peek<string>(principal.accountId, FIRST_PAGE);
      if (page === undefined) return;
      return reply.header('content-type', JSON_CONTENT_TYPE).send(page);
    });
  }
}
