import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { NodesService } from '@wgfleet/servers';
import { WgdApiKeys } from './wgd-api-keys.service.js';
import { CreateWgdKeyDto, toWgdKeyDto } from './wgd-keys.dto.js';

/** The portal admin hands out WGDashboard keys (the contract's Operations section). */
@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/nodes')
export class AdminWgdKeysController {
  constructor(
    private readonly nodes: NodesService,
    private readonly keys: WgdApiKeys,
  ) {}

  @Post(':id/wgdashboard-keys')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a WGDashboard API key bound to the node (shown once): its servers are the configurations it sees' })
  async create(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateWgdKeyDto) {
    const node = await this.nodes.get(id);
    const { key, record } = await this.keys.issue(principal, node.id, body.expires_at ?? null);
    return toWgdKeyDto(record, key);
  }
}
