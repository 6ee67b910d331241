import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@wgfleet/idempotency';
import { AdminOnly, CurrentPrincipal, PageQueryDto, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { CreateNodeDto, toNodeDto } from './nodes.dto.js';
import { NodesService } from './nodes.service.js';
import { CreateServerDto, toServerDto } from './servers.dto.js';
import { ServersService } from './servers.service.js';

@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/nodes')
export class AdminNodesController {
  constructor(
    private readonly nodes: NodesService,
    private readonly servers: ServersService,
  ) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Add a node (a WireGuard host reached over SSH with a pinned host key, or this machine)' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateNodeDto) {
    return toNodeDto(await this.nodes.create(principal, body), 0);
  }

  @Get()
  @ApiOperation({ summary: 'List nodes with their health' })
  async list(@Query() query: PageQueryDto) {
    const { items, nextCursor } = await this.nodes.list(toPage(query));
    const counts = await this.nodes.countServers(items.map((n) => n.id));
    return { nodes: items.map((node) => toNodeDto(node, counts.get(node.id) ?? 0)), next_cursor: nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one node' })
  async get(@Param('id', ParseIdPipe) id: number) {
    const node = await this.nodes.get(id);
    const counts = await this.nodes.countServers([id]);
    return toNodeDto(node, counts.get(id) ?? 0);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a node that has no servers (409 in_use otherwise)' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.nodes.delete(principal, id);
    return { id, deleted: true };
  }

  @Post(':id/servers')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Create a WireGuard server (interface) on the node; its key pair is generated' })
  async createServer(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateServerDto) {
    const { server, node } = await this.servers.create(principal, id, body);
    return toServerDto(server, node);
  }
}
