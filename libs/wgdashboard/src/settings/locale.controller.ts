import { Body, Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { WgdNoAuth } from '../wgd-no-auth.decorator.js';
import { wgdFail, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { knownLocaleId, WGD_LOCALES } from './wgd-locales.js';
import { WgdSettings } from './wgd-settings.service.js';

/**
 * The dashboard's language (notes §2.46-2.48), open without a key as upstream's whitelist leaves it.
 * The translations are upstream's UI data and wgfleet serves no UI: `locale` answers null (upstream's
 * answer for English) whatever the language.
 */
@WgdRoutes()
@ApiExcludeController()
@Controller('api/locale')
export class LocaleController {
  constructor(private readonly settings: WgdSettings) {}

  @Get()
  @WgdNoAuth()
  current(): WgdResult {
    return wgdOk(null);
  }

  @Get('available')
  @WgdNoAuth()
  available(): WgdResult {
    return wgdOk(WGD_LOCALES);
  }

  /**
   * Only an id of the list is kept; anything else becomes `en`, as upstream does for an id without a
   * translation file (and no path is ever built from the id). Without a key the `local` node's
   * setting changes; when there is no such node there is nothing to change.
   */
  @WgdPost('update')
  @WgdNoAuth()
  async update(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    if (!('lang_id' in fields)) return wgdFail('Please specify a lang_id');
    const nodeId = await this.settings.nodeOf(request.wgdGrant);
    if (nodeId !== null) await this.settings.store(nodeId, 'Server', 'dashboard_language', knownLocaleId(fields.lang_id));
    return wgdOk(null);
  }
}
