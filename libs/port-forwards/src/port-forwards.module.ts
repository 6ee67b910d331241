import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyModule } from '@wgfleet/idempotency';
import { PeersModule } from '@wgfleet/peers';
import { ServersModule } from '@wgfleet/servers';
import { PortClaimEntity, PortForwardEntity } from './port-forward.entity.js';
import { PortForwardsController } from './port-forwards.controller.js';
import { PortForwardsService } from './port-forwards.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([PortForwardEntity, PortClaimEntity]), ServersModule, PeersModule, IdempotencyModule],
  controllers: [PortForwardsController],
  providers: [PortForwardsService],
  exports: [PortForwardsService],
})
export class PortForwardsModule {}
