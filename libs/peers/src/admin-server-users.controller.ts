import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, PageQueryDto, ParseIdPipe, toPage } from '@wgfleet/core';
import { ServersService } from '@wgfleet/servers';
import { toUserDto } from './peers.dto.js';
import { PeersService } from './peers.service.js';
import { UserObservations } from './user-observations.js';

/**
 * The operator's view of one server: every peer on it, the tenants' users (with their assignment)
 * and the operator's own peers made through the WGDashboard API (assignment_id null), restricted
 * ones included.
 */
@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/servers')
export class AdminServerUsersController {
  constructor(
    private readonly servers: ServersService,
    private readonly peers: PeersService,
    private readonly observations: UserObservations,
  ) {}

  @Get(':id/users')
  @ApiOperation({ summary: "List every peer of a server: tenants' users and WGDashboard peers (assignment_id null)" })
  async list(@Param('id', ParseIdPipe) id: number, @Query() query: PageQueryDto) {
    await this.servers.get(id);
    const { items, nextCursor } = await this.peers.listOnServer(id, toPage(query));
    const observed = await this.observations.of(id, items);
    return {
      users: items.map((user) => ({ ...toUserDto(user, observed.get(user.id)!), restricted: user.restrictedAt !== null })),
      next_cursor: nextCursor,
    };
  }
}
