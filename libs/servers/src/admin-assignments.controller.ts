import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@wgfleet/idempotency';
import { AdminOnly, CurrentPrincipal, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { CreateAssignmentDto, ListAssignmentsQueryDto, toAssignmentDto } from './assignments.dto.js';
import { AssignmentsService } from './assignments.service.js';

@ApiTags('admin')
@AdminOnly()
@Controller('api/admin/assignments')
export class AdminAssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  @Post()
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Lend a server to a reseller or customer account, with optional quotas' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateAssignmentDto) {
    return toAssignmentDto(await this.assignments.create(principal, body));
  }

  @Get()
  @ApiOperation({ summary: 'List assignments (?server_id= and ?account_id= filter)' })
  async list(@Query() query: ListAssignmentsQueryDto) {
    const { items, nextCursor } = await this.assignments.list(toPage(query), { serverId: query.server_id, accountId: query.account_id });
    return { assignments: items.map(toAssignmentDto), next_cursor: nextCursor };
  }

  @Delete(':id')
  @ApiOperation({ summary: "Delete an assignment with its users, port forwards and delegations" })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.assignments.delete(principal, id);
    return { id, deleted: true };
  }
}
