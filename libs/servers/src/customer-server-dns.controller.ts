import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, ParseIdPipe, type Principal } from '@wgfleet/core';
import { parseDnsResolvers } from './dns-resolvers.js';
import { FleetAccess } from './fleet-access.service.js';
import { DNS_ROUTE_DESCRIPTION, PutServerDnsDto, toServerDnsDto, type ServerDnsDto } from './server-dns.dto.js';
import { ServerDnsService } from './server-dns.service.js';

const PROBLEM = { 'application/problem+json': { schema: { type: 'object' } } };
const SHARED =
  '`server_shared`: the server is assigned to more than one account, so its DNS is every account\'s; ' +
  'an admin sets it (`PUT /api/admin/servers/{id}/dns`). Nothing is changed.';

/** DNS-over-TLS of an assigned server (`{id}` is the assignment), for the customer API. */
@ApiTags('servers')
@Controller('api/wg/servers')
export class CustomerServerDnsController {
  constructor(
    private readonly access: FleetAccess,
    private readonly dns: ServerDnsService,
  ) {}

  @Get(':id/dns')
  @ApiOperation({ summary: "The server's DNS: plain or DNS-over-TLS, what clients use, and whether the node has it", description: DNS_ROUTE_DESCRIPTION })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number): Promise<ServerDnsDto> {
    const { server } = await this.access.resolveAssignment(principal, id);
    return toServerDnsDto(server);
  }

  @Put(':id/dns')
  @ApiOperation({ summary: 'Resolve over TLS: the node runs a caching resolver on the tunnel that forwards only to these resolvers', description: DNS_ROUTE_DESCRIPTION })
  @ApiResponse({ status: 409, description: SHARED, content: PROBLEM })
  @ApiResponse({ status: 422, description: 'A bad resolver, named by its field (`resolvers[0].tls_name`). Nothing is changed.', content: PROBLEM })
  async put(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: PutServerDnsDto): Promise<ServerDnsDto> {
    const resolvers = parseDnsResolvers(body.resolvers);
    const { server } = await this.access.resolveAssignment(principal, id);
    return toServerDnsDto(await this.dns.useTls(principal, server.id, resolvers, optionsOf(principal, id)));
  }

  @Delete(':id/dns')
  @ApiOperation({ summary: "Back to plain DNS: the node's resolver for the server stops, clients get the server's DNS servers again", description: DNS_ROUTE_DESCRIPTION })
  @ApiResponse({ status: 409, description: SHARED, content: PROBLEM })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number): Promise<ServerDnsDto> {
    const { server } = await this.access.resolveAssignment(principal, id);
    return toServerDnsDto(await this.dns.usePlain(principal, server.id, optionsOf(principal, id)));
  }
}

/** The admin acts on every server; anyone else only on a server no other account holds. */
const optionsOf = (principal: Principal, assignmentId: number) => ({
  refuseShared: principal.kind !== 'admin',
  auditDetails: { assignment_id: assignmentId },
});
