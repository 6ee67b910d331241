import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WgdNoAuth } from './wgd-no-auth.decorator.js';
import { wgdOk, type WgdResult } from './wgd-result.js';
import { WgdRoutes } from './wgd-routes.decorator.js';

/** The version wgfleet answers as: the release whose behaviour it reproduces (notes, decision 1). */
export const WGD_VERSION = 'v4.2.5';

/** Session, version and look: the calls a client makes first (notes §2.1, 2.2, 2.36, 2.37, 2.45). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class DashboardInfoController {
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

  @Get('getDashboardTheme')
  @WgdNoAuth()
  theme(): WgdResult {
    return wgdOk('dark');
  }

  /** wgfleet has no dashboard login, so no TOTP. */
  @Get('isTotpEnabled')
  @WgdNoAuth()
  totp(): WgdResult {
    return wgdOk(false);
  }
}
