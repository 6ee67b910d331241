import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

  /**
   * Runs in the Nest adapter's own first `onRequest` slot (`setOnRequestHook`), ahead of the hooks
   * every request otherwise passes; a request it does not answer goes on to them unchanged.
   */
  install(adapter: { setOnRequestHook(hook: OnRequestHook): void }): void {
    adapter.setOnRequestHook((request, reply, done) => {
      if (request.method !== 'GET' || request.url !== SERVER_LIST_PATH) return done();
      this.answer(request, reply).then((answered) => answered || done(), done);
    });
  }

  /** True when the reply was sent here. */
  private async answer(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    let principal: Principal;
    try {
      principal = await this.authenticator.authorize(request, reply);
    } catch {
      return false; // Nest's guard answers with this same outcome, through the app's error filter.
    }
    const page = this.cache.peek<string>(principal.accountId, FIRST_PAGE);
    if (page === undefined) return false;
    void reply.header('x-request-id', request.id).header('content-type', JSON_CONTENT_TYPE).send(page);
    return true;
  }
}

type OnRequestHook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void;
