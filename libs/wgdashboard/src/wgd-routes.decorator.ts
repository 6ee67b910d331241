import { applyDecorators, HttpCode, Post, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { Public } from '@wgfleet/core';
import { WgdAuthGuard } from './wgd-auth.guard.js';
import { WgdEnvelopeInterceptor } from './wgd-envelope.interceptor.js';
import { WgdExceptionFilter } from './wgd-exception.filter.js';

/**
 * A WGDashboard controller: outside the portal's Bearer-key guard (Public), behind the
 * `wg-dashboard-apikey` guard, answering in the envelope, failing in the envelope.
 */
export const WgdRoutes = () => applyDecorators(Public(), UseGuards(WgdAuthGuard), UseInterceptors(WgdEnvelopeInterceptor), UseFilters(WgdExceptionFilter));

/** A WGDashboard POST: 200 like every upstream answer (Nest's default for POST is 201). */
export const WgdPost = (path: string) => applyDecorators(Post(path), HttpCode(200));
