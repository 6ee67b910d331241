import { All, ArgumentsHost, Catch, CanActivate, Controller, ExceptionFilter, ExecutionContext, Injectable, NotFoundException, Req, Res, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpErrorFilter, Public } from '@wgfleet/core';
import { WgdAuthGuard } from './wgd-auth.guard.js';
import { WgdEnvelopeInterceptor } from './wgd-envelope.interceptor.js';
import { WgdExceptionFilter } from './wgd-exception.filter.js';
import { wgdOk, WgdHttpError, type WgdResult } from './wgd-result.js';

/** Werkzeug's words for a 404 and a 405, which upstream sends as HTML pages. */
export const WGD_NOT_FOUND = 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.';
export const WGD_WRONG_METHOD = 'The method is not allowed for the requested URL.';

/** Flask's `Allow` for a route of each method (it adds HEAD to GET, and OPTIONS to every route). */
const ALLOW_OF: ReadonlyArray<[method: 'GET' | 'POST', allow: string]> = [
  ['GET', 'HEAD, GET, OPTIONS'],
  ['POST', 'POST, OPTIONS'],
];

/**
 * The portal's own namespaces. With an empty WGD_APP_PREFIX they share `/api/` with WGDashboard's
 * names (upstream has none called `wg/…` or `admin/…`); what no route there matches stays the
 * portal's problem+json 404, exactly as Nest answers it.
 */
const PORTAL_PATH = /^\/api\/(?:wg|admin)(?:[/?]|$)/;

const isPortalPath = (request: FastifyRequest) => PORTAL_PATH.test(request.url);

/** Nest's own 404 for a path no route has (its not-found handler's exception, word for word). */
@Injectable()
class PortalPathsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (isPortalPath(request)) throw new NotFoundException(`Cannot ${request.method} ${request.raw.url}`);
    return true;
  }
}

@Catch()
class UnknownRouteFilter implements ExceptionFilter {
  private readonly portal = new HttpErrorFilter();
  private readonly wgd = new WgdExceptionFilter();

  catch(exception: unknown, host: ArgumentsHost): void {
    (isPortalPath(host.switchToHttp().getRequest<FastifyRequest>()) ? this.portal : this.wgd).catch(exception, host);
  }
}

/**
 * What no WGDashboard route matches under `/api/` (any method): upstream's `before_request` answers
 * every `OPTIONS` with the envelope before it authenticates (a CORS preflight carries no key: it is
 * neither refused nor counted as a failure) and authenticates everything else before Flask routes
 * it, so an unknown route is 401 without a valid key. With one, upstream's Werkzeug HTML 404 (or 405
 * with `Allow`, for a route of another method) becomes the envelope with `status:false`: a client
 * reading `status` must not see success.
 */
@Public()
@UseGuards(PortalPathsGuard, WgdAuthGuard)
@UseInterceptors(WgdEnvelopeInterceptor)
@UseFilters(UnknownRouteFilter)
@ApiExcludeController()
@Controller('api')
export class UnknownRoutesController {
  @All('*')
  answer(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): WgdResult {
    if (request.method === 'OPTIONS') return wgdOk();
    const allow = allowedMethodsOf(request);
    if (allow === null) throw new WgdHttpError(404, WGD_NOT_FOUND);
    void reply.header('allow', allow);
    throw new WgdHttpError(405, WGD_WRONG_METHOD);
  }
}

/** A WGDashboard route on this path for another method (upstream: 405 with `Allow`), or null. */
function allowedMethodsOf(request: FastifyRequest): string | null {
  const path = request.url.split('?')[0]!;
  const ownRest = (request.params as Record<string, string>)['*'];
  for (const [method, allow] of ALLOW_OF) {
    if (method === request.method) continue;
    // This controller's wildcard matches every path too, taking the same rest of it as for this request.
    const route = request.server.findRoute({ method, url: path });
    if (route && (route.params as Record<string, string>)['*'] !== ownRest) return allow;
  }
  return null;
}
