import { Module } from '@nestjs/common';
import { AccountsModule } from '@wgfleet/accounts';
import { PeersModule } from '@wgfleet/peers';
import { PortForwardsModule } from '@wgfleet/port-forwards';
import { ServersModule } from '@wgfleet/servers';
import { ResellersController } from './resellers.controller.js';
import { ResellersService } from './resellers.service.js';

@Module({
  imports: [AccountsModule, ServersModule, PeersModule, PortForwardsModule],
  controllers: [ResellersController],
  providers: [ResellersService],
  exports: [ResellersService],
})
export class ResellersModule {}
