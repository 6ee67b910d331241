import { Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from './wgd-auth.guard.js';
import { WgdConfigurations } from './wgd-configurations.service.js';
import { wgdOk, type WgdResult } from './wgd-result.js';
import { WgdRoutes } from './wgd-routes.decorator.js';

/** The configurations of the key's node (notes §2.3). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class ConfigurationsController {
  constructor(private readonly configurations: WgdConfigurations) {}

  @Get('getWireguardConfigurations')
  async list(@Req() request: WgdRequest): Promise<WgdResult> {
    return wgdOk(await this.configurations.list(request.wgdGrant!.nodeId));
  }
}
