import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { toUserDto } from './peers.dto.js';
import { PeersService } from './peers.service.js';
import { toUserWithConfigDto } from './user-config.js';
import { UserObservations } from './user-observations.js';
import { refuseEmptyBody, UPDATE_USER_FIELDS, UpdateUserDto } from './user-plans.dto.js';
import { UserPlans } from './user-plans.service.js';

@ApiTags('users')
@Controller('api/wg/users')
export class UsersController {
  constructor(
    private readonly peers: PeersService,
    private readonly observations: UserObservations,
    private readonly plans: UserPlans,
  ) {}

  @Get(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Get a user with its config, keys, plan and live status' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    const { user, context } = await this.peers.resolveUser(principal, id);
    const secrets = await this.peers.secretsOf(user);
    return toUserWithConfigDto(user, context.server, context.node, secrets, await this.observations.ofOne(user));
  }

  @Patch(':id')
  @ApiOperation({
    summary: "Change a user's plan: enabled, expires_at, data_limit",
    description:
      'Send any of the three; a field left out stays as it is. `enabled: false` blocks the user (its peer leaves the node; ' +
      'its row, keys and address stay), `expires_at` (RFC 3339 with an offset or Z, or null for none) blocks it from then on, ' +
      '`data_limit` ({bytes, period, reset_day, action, throttle_mbps}, or null for none) blocks or throttles it once a ' +
      "period's rx + tx reaches `bytes`. The answer is the user, its `access` already decided.",
  })
  async update(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: UpdateUserDto) {
    refuseEmptyBody(body, UPDATE_USER_FIELDS);
    const user = await this.plans.update(principal, id, body);
    return toUserDto(user, await this.observations.ofOne(user));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove a user and its port forwards' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.peers.delete(principal, id);
    return { id, deleted: true };
  }
}
