import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS } from '@wgfleet/core';
import { envelope } from './envelope.js';
import { applyWgdCors } from './wgd-cors.js';
import { WGD_CONTENT_TYPE } from './wgd-envelope.interceptor.js';
import { WgdHttpError } from './wgd-result.js';

/**
 * Every failure of a WGDashboard route as the envelope: the codes upstream uses on purpose (401,
 * 404, 400) with its messages; a framework error (413 body too large…) keeps its code. Where
 * upstream would crash with an HTML 500, this answers the envelope with a message instead.
 */
@Catch()
export class WgdExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(WgdExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    applyWgdCors(http.getRequest<FastifyRequest>(), reply);
    const send = (code: number, message: string, data: unknown = null) =>
      void reply.code(code).header('content-type', WGD_CONTENT_TYPE).send(Buffer.from(envelope(false, message, data), 'utf8'));
    if (exception instanceof WgdHttpError) return send(exception.httpStatus, exception.message, exception.data);
    if (exception instanceof HttpException) return send(exception.getStatus(), exception.message);
    // Refused input (the body parser, the URL check) and the fleet's refusals: their code and words.
    if (exception instanceof AppError && ERROR_STATUS[exception.code] < 500) return send(ERROR_STATUS[exception.code], exception.message);
    this.logger.error({ msg: 'WGDashboard endpoint failed', err: exception });
    send(500, 'Internal error; see the control plane logs');
  }
}
