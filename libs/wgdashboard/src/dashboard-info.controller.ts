import { Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { typedSetting } from './settings/dashboard-settings.js';
import { WGD_VERSION } from './settings/wgd-version.js';
import { WgdSettings } from './settings/wgd-settings.service.js';
import type { WgdRequest } from './wgd-auth.guard.js';
import { WgdNoAuth } from './wgd-no-auth.decorator.js';
import { wgdOk, type WgdResult } from './wgd-result.js';
import { WgdRoutes } from './wgd-routes.decorator.js';

export { WGD_VERSION } from './settings/wgd-version.js';

/** Session, version and look: the calls a client makes first (notes §2.1, 2.2, 2.36, 2.37, 2.45). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class DashboardInfoController {
  constructor(private readonly settings: WgdSettings) {}

  @Get('handshake')
  handshake(): WgdResult {
    return wgdOk();
  }

  /** Keys are always required here (upstream's `auth_req`, which it does not let an API key turn off). */
  @Get('requireAuthentication')
  requireAuthentication(): WgdResult {
    return wgdOk(true);
  }

  @Get('getDashboardVersion')
  @WgdNoAuth()
  version(): WgdResult {
    return wgdOk(WGD_VERSION);
  }

  /** `Server.dashboard_theme` of the key's node; without a key, of the `local` node (or the default, `dark`). */
  @Get('getDashboardTheme')
  @WgdNoAuth()
  async theme(@Req() request: WgdRequest): Promise<WgdResult> {
    const text = await this.settings.text(await this.settings.nodeOf(request.wgdGrant), 'Server', 'dashboard_theme');
    return wgdOk(typedSetting('Server', 'dashboard_theme', text));
  }

  /** Only WireGuard: AmneziaWG (`awg`, which 4.2.5 lists when its tools are installed) is not served. */
  @Get('protocolsEnabled')
  protocols(): WgdResult {
    return wgdOk(['wg']);
  }

  /** wgfleet has no dashboard login, so no TOTP (the settings keep enable_totp and totp_verified false). */
  @Get('isTotpEnabled')
  @WgdNoAuth()
  totp(): WgdResult {
    return wgdOk(false);
  }
}
