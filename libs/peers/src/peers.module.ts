import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ServersModule } from '@wgfleet/servers';
import { PeersService } from './peers.service.js';
import { UserEntity } from './user.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), ServersModule],
  controllers: [],
  providers: [PeersService],
  exports: [PeersService],
})
export class PeersModule {}
