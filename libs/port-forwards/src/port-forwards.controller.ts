import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, PageQueryDto, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { Idempotent } from '@wgfleet/idempotency';
import { CreatePortForwardDto, toPortForwardDto } from './port-forwards.dto.js';
import { PortForwardsService } from './port-forwards.service.js';

@ApiTags('port-forwards')
@Controller('api/wg')
export class PortForwardsController {
  constructor(private readonly forwards: PortForwardsService) {}

  @Get('users/:id/port-forwards')
  @ApiOperation({ summary: "List a user's port forwards" })
  async list(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) userId: number, @Query() query: PageQueryDto) {
    const { items, nextCursor } = await this.forwards.listForUser(principal, userId, toPage(query));
    return { port_forwards: items.map(toPortForwardDto), next_cursor: nextCursor };
  }

  @Post('users/:id/port-forwards')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: "Forward a port of the server's public address to the user (protocol defaults to tcp)" })
  async create(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) userId: number, @Body() body: CreatePortForwardDto) {
    const forward = await this.forwards.create(principal, userId, {
      externalPort: body.external_port,
      internalPort: body.internal_port,
      protocol: body.protocol ?? 'tcp',
      comment: body.comment ?? '',
    });
    return toPortForwardDto(forward);
  }

  @Delete('port-forwards/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a port forward' })
  async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.forwards.delete(principal, id);
    return { id, deleted: true };
  }
}
