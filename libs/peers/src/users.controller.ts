import { Controller, Delete, Get, Header, HttpCode, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { PeerTelemetry } from './peer-telemetry.js';
import { PeersService } from './peers.service.js';
import { toUserWithConfigDto } from './user-config.js';

@ApiTags('users')
@Controller('api/wg/users')
export class UsersController {
  constructor(
    private readonly peers: PeersService,
    private readonly telemetry: PeerTelemetry,
  ) {}

  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Get a user with its config, keys and live status' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    const { user, context } = await this.peers.resolveUser(principal, id);
    const secrets = await this.peers.secretsOf(user);
    const live = await this.telemetry.statusOf(context.server.id, [user.id]);
    return toUserWithConfigDto(user, context.server, context.node, secrets, live.get(user.id));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a user and its port forwards' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.peers.delete(principal, id);
    return { id, deleted: true };
  }
}
