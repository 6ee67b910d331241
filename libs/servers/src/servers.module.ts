import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AssignmentEntity } from './assignment.entity.js';
import { FleetAccess } from './fleet-access.service.js';
import { NodeEntity } from './node.entity.js';
import { ServerEntity } from './server.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([NodeEntity, ServerEntity, AssignmentEntity])],
  controllers: [],
  providers: [FleetAccess],
  exports: [FleetAccess],
})
export class ServersModule {}
