import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateApiKeyDto, toAccountDto, toApiKeyDto } from '@wgfleet/accounts';
import { CurrentPrincipal, PageQueryDto, ParseIdPipe, toPage, type Principal } from '@wgfleet/core';
import { CreateCustomerDto, CreateDelegationDto, toDelegationDto } from './resellers.dto.js';
import { ResellersService } from './resellers.service.js';

@ApiTags('resellers')
@Controller('api/wg')
export class ResellersController {
  constructor(private readonly resellers: ResellersService) {}

  @Post('customers')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a customer account of your own (reseller keys only)' })
  async createCustomer(@CurrentPrincipal() principal: Principal, @Body() body: CreateCustomerDto) {
    return toAccountDto(await this.resellers.createCustomer(principal, body.name));
  }

  @Get('customers')
  @ApiOperation({ summary: 'List your customers (reseller keys only)' })
  async listCustomers(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto) {
    const { items, nextCursor } = await this.resellers.listCustomers(principal, toPage(query));
    return { customers: items.map(toAccountDto), next_cursor: nextCursor };
  }

  @Delete('customers/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a customer with its keys, users and port forwards' })
  async deleteCustomer(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number) {
    await this.resellers.deleteCustomer(principal, id);
    return { id, deleted: true };
  }

  @Post('customers/:id/api-keys')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Create an API key for one of your customers (the secret is shown once)" })
  async createCustomerKey(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateApiKeyDto) {
    const { record, key } = await this.resellers.createCustomerKey(principal, id, { name: body.name, expiresAt: body.expires_at });
    return { ...toApiKeyDto(record), account_id: id, key };
  }

  @Post('servers/:id/delegations')
  @HttpCode(201)
  @ApiOperation({ summary: "Lend a server of yours to one of your customers, out of your own quota" })
  async delegate(@CurrentPrincipal() principal: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: CreateDelegationDto) {
    const delegation = await this.resellers.delegate(principal, id, {
      customerId: body.customer_id,
      maxUsers: body.max_users,
      maxPortForwards: body.max_port_forwards,
    });
    return toDelegationDto(delegation);
  }
}
