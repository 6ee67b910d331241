import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { PeersService } from './peers.service.js';
import { BANDWIDTH_FIELDS, refuseEmptyBody, SetBandwidthDto, toBandwidthDto } from './user-plans.dto.js';
import { UserPlans } from './user-plans.service.js';

/**
 * A user's speed limits (the portal's Bandwidth Control): download is node → client, upload is
 * client → node, measured on the tunnel; null is unlimited. The node shapes the peer at the next push.
 */
@ApiTags('users')
@Controller('api/wg/users/:id/bandwidth')
export class BandwidthController {
  constructor(
    private readonly peers: PeersService,
    private readonly plans: UserPlans,
  ) {}

  @Get()
  @ApiOperation({ summary: "A user's bandwidth limits (null: unlimited) and whether its node applies them yet" })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    const { user } = await this.peers.resolveUser(principal, id);
    return toBandwidthDto(user);
  }

  @Put()
  @ApiOperation({
    summary: "Set a user's bandwidth limits",
    description:
      'Mbit/s from 0.1 to 10000 with at most three decimals; null lifts the limit in that direction, a direction left out ' +
      'keeps its limit. `provisioning` turns `active` once the node shapes the peer.',
  })
  async set(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: SetBandwidthDto) {
    refuseEmptyBody(body, BANDWIDTH_FIELDS);
    return toBandwidthDto(await this.plans.setBandwidth(principal, id, body));
  }

  @Delete()
  @HttpCode(200)
  @ApiOperation({ summary: "Lift a user's bandwidth limits in both directions" })
  async clear(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    return toBandwidthDto(await this.plans.setBandwidth(principal, id, { download_mbps: null, upload_mbps: null }));
  }
}
