import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { ListServersQueryDto, toServerDto, UpdateServerDto } from './servers.dto.js';
import { ServersService } from './servers.service.js';

@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/servers')
export class AdminServersController {
  constructor(private readonly servers: ServersService) {}

  @Get()
  @ApiOperation({ summary: 'List servers (?node_id= narrows to one node)' })
  async list(@Query() query: ListServersQueryDto) {
    const { items, nextCursor } = await this.servers.list(toPage(query), { nodeId: query.node_id });
    return { servers: items.map(({ server, node }) => toServerDto(server, node)), next_cursor: nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one server with its sync state' })
  async get(@Param('id', ParseIdPipe) id: number) {
    const { server, node } = await this.servers.get(id);
    return toServerDto(server, node);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, location, dns, mtu, endpoint_host, port_forward_range or reserved_ports' })
  async update(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: UpdateServerDto) {
    const { server, node } = await this.servers.update(principal, id, body);
    return toServerDto(server, node);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a server that has no assignments (409 in_use otherwise)' })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.servers.delete(principal, id);
    return { id, deleted: true };
  }

  @Post(':id/reconcile')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ask for the server to be converged on its node now; answers without waiting' })
  async reconcile(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    return this.servers.reconcile(principal, id);
  }
}
