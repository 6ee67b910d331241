import { applyDecorators, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { Public } from '@wgfleet/core';
import { WgdAuthGuard } from './wgd-auth.guard.js';
import { WgdEnvelopeInterceptor } from './wgd-envelope.interceptor.js';
import { WgdExceptionFilter } from './wgd-exception.filter.js';

/**
 * A WGDashboard controller: outside the portal's Bearer-key guard (Public), behind the
 * `wg-dashboard-apikey` guard, answering in the envelope, failing in the envelope.
 */
export const WgdRoutes = () => applyDecorators(Public(), UseGuards(WgdAuthGuard), UseInterceptors(WgdEnvelopeInterceptor), UseFilters(WgdExceptionFilter));
