import { Body, Controller, Get, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { WgdRequest } from '../wgd-auth.guard.js';
import { wgdFail, wgdOk, type WgdResult } from '../wgd-result.js';
import { WgdPost, WgdRoutes } from '../wgd-routes.decorator.js';
import { planSettingUpdate } from './setting-update.js';
import { WgdSettings } from './wgd-settings.service.js';

/** The key's node's dashboard settings, and the update check (notes §2.29, §2.30, §2.44). */
@WgdRoutes()
@ApiExcludeController()
@Controller('api')
export class DashboardSettingsController {
  constructor(private readonly settings: WgdSettings) {}

  @Get('getDashboardConfiguration')
  async configuration(@Req() request: WgdRequest): Promise<WgdResult> {
    return wgdOk(await this.settings.configuration(request.wgdGrant!.nodeId));
  }

  /** Failures are HTTP 200 with status false, as in 4.2.5 (404 before). */
  @WgdPost('updateDashboardConfigurationItem')
  async update(@Req() request: WgdRequest, @Body() body: unknown): Promise<WgdResult> {
    const plan = planSettingUpdate(body);
    if (plan.kind === 'answer') return plan.result;
    await this.settings.store(request.wgdGrant!.nodeId, plan.section, plan.key, plan.text);
    return wgdOk(plan.data);
  }

  /**
   * Upstream asks GitHub for a newer release. wgfleet makes no outbound call for this and answers
   * what upstream answers when GitHub cannot be reached: it updates as wgfleet does, not as WGDashboard.
   */
  @Get('getDashboardUpdate')
  updateCheck(): WgdResult {
    return wgdFail('Request to GitHub API failed.');
  }
}
