import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, PageQueryDto, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { Idempotent } from '@wgfleet/idempotency';
import { FleetAccess, syncStateOf } from '@wgfleet/servers';
import { CreateUserDto, ListUsersQueryDto, toAssignmentDto, toLiveFieldsDto, toUserDto } from './peers.dto.js';
import { PeerTelemetry } from './peer-telemetry.js';
import { PeersService } from './peers.service.js';
import { ServerListCache } from './server-list-cache.js';
import { JSON_CONTENT_TYPE } from './server-list-fast-path.js';
import { toUserWithConfigDto } from './user-config.js';
import { UserObservations } from './user-observations.js';
import { toUserPlanDto } from './user-plans.dto.js';

/** The customer API's server routes: the caller's assignments and the users on them. */
@ApiTags('servers')
@Controller('api/wg/servers')
export class CustomerServersController {
  constructor(
    private readonly access: FleetAccess,
    private readonly peers: PeersService,
    private readonly telemetry: PeerTelemetry,
    private readonly serverList: ServerListCache,
    private readonly observations: UserObservations,
  ) {}

  // The page is cached as the JSON text Fastify would have made of it, so a cache hit is not
  // serialised again; with the JSON content type set, Fastify sends that text as it is. A cached
  // first page is usually served before this handler, by ServerListFastPath.
  @Get()
  @Header('Content-Type', JSON_CONTENT_TYPE)
  @ApiOperation({ summary: 'List the servers assigned to your account' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto): Promise<string> {
    const page = toPage(query);
    return this.serverList.getOrLoad(principal.accountId, page, async () => {
      const { items, nextCursor } = await this.access.listOwn(principal, page);
      const counts = await this.peers.countUsersByAssignment(items.map((context) => context.assignment.id));
      return JSON.stringify({
        servers: items.map((context) => toAssignmentDto(context, counts.get(context.assignment.id) ?? 0)),
        next_cursor: nextCursor,
      });
    });
  }

  @Get(':id/users')
  @ApiOperation({
    summary: 'List the users of a server, with live status; filter by name, public_key, ip or online',
    description:
      'Live fields come from the latest poll of the node, never a round trip per request. Until a node has been ' +
      'polled its users read as offline, so `online=true` lists nobody and `online=false` lists everyone.',
  })
  async listUsers(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Query() query: ListUsersQueryDto) {
    const context = await this.access.resolveAssignment(principal, id);
    const { items, nextCursor } = await this.peers.list(context, query, toPage(query));
    const observed = await this.observations.of(context.server.id, items);
    return { users: items.map((user) => toUserDto(user, observed.get(user.id)!)), next_cursor: nextCursor };
  }

  @Post(':id/users')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @Idempotent()
  @ApiOperation({ summary: 'Create a user: returns its client config and keys' })
  async createUser(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateUserDto) {
    const context = await this.access.resolveAssignment(principal, id);
    const { user, server, secrets } = await this.peers.create(principal, context, body);
    return toUserWithConfigDto(user, server, context.node, secrets, await this.observations.ofOne(user));
  }

  @Get(':id/status')
  @ApiOperation({ summary: 'Live device status of every user of a server' })
  async status(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    const context = await this.access.resolveAssignment(principal, id);
    const users = await this.peers.listAll(context.assignment.id);
    const observed = await this.observations.of(context.server.id, users);
    const iface = await this.telemetry.interfaceOf(context.server.id);
    return {
      server: {
        assignment_id: context.assignment.id,
        interface: iface.interface,
        polled_at: iface.polledAt ? iface.polledAt.toISOString() : null,
        sync: syncStateOf(context.server),
      },
      users: users.map((user) => {
        const { live, usage } = observed.get(user.id)!;
        return { id: user.id, client_name: user.clientName, public_key: user.publicKey, ...toUserPlanDto(user, usage), ...toLiveFieldsDto(live) };
      }),
    };
  }
}
