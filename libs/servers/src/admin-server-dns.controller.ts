import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { parseDnsResolvers } from './dns-resolvers.js';
import { DNS_ROUTE_DESCRIPTION, PutServerDnsDto, toServerDnsDto, type ServerDnsDto } from './server-dns.dto.js';
import { ServerDnsService } from './server-dns.service.js';

const PROBLEM = { 'application/problem+json': { schema: { type: 'object' } } };

/** DNS-over-TLS of any server (`{id}` is the server), shared ones included. */
@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/servers')
export class AdminServerDnsController {
  constructor(private readonly dns: ServerDnsService) {}

  @Get(':id/dns')
  @ApiOperation({ summary: "A server's DNS: plain or DNS-over-TLS, what clients use, and whether the node has it", description: DNS_ROUTE_DESCRIPTION })
  async get(@Param('id', ParseIdPipe) id: number): Promise<ServerDnsDto> {
    return toServerDnsDto(await this.dns.server(id));
  }

  @Put(':id/dns')
  @ApiOperation({ summary: "Resolve a server's DNS over TLS (shared servers too)", description: DNS_ROUTE_DESCRIPTION })
  @ApiResponse({ status: 422, description: 'A bad resolver, named by its field (`resolvers[0].tls_name`). Nothing is changed.', content: PROBLEM })
  async put(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: PutServerDnsDto): Promise<ServerDnsDto> {
    const resolvers = parseDnsResolvers(body.resolvers);
    return toServerDnsDto(await this.dns.useTls(principal, id, resolvers));
  }

  @Delete(':id/dns')
  @ApiOperation({ summary: "Back to plain DNS for a server", description: DNS_ROUTE_DESCRIPTION })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number): Promise<ServerDnsDto> {
    return toServerDnsDto(await this.dns.usePlain(principal, id));
  }
}
