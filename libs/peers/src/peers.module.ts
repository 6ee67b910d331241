import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@wgfleet/accounts';
import { IdempotencyModule } from '@wgfleet/idempotency';
import { ServersModule } from '@wgfleet/servers';
import { AdminServerUsersController } from './admin-server-users.controller.js';
import { BandwidthController } from './bandwidth.controller.js';
import { CustomerServersController } from './customer-servers.controller.js';
import { OperatorPeers } from './operator-peers.service.js';
import { PeerTelemetry } from './peer-telemetry.js';
import { PeersService } from './peers.service.js';
import { PlanClock, SystemPlanClock } from './plans/plan-clock.js';
import { PlanEnforcer } from './plans/plan-enforcer.js';
import { PlanUsage } from './plans/plan-usage.js';
import { ServerListCache } from './server-list-cache.js';
import { ServerListFastPath } from './server-list-fast-path.js';
import { UserConfigDownloadsController } from './user-config-downloads.controller.js';
import { UserEntity } from './user.entity.js';
import { UserObservations } from './user-observations.js';
import { UserPlans } from './user-plans.service.js';
import { UsersController } from './users.controller.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), AccountsModule, ServersModule, IdempotencyModule],
  controllers: [CustomerServersController, UsersController, BandwidthController, UserConfigDownloadsController, AdminServerUsersController],
  providers: [
    PeersService,
    OperatorPeers,
    PeerTelemetry,
    ServerListCache,
    ServerListFastPath,
    PlanUsage,
    PlanEnforcer,
    UserObservations,
    UserPlans,
    { provide: PlanClock, useClass: SystemPlanClock },
  ],
  exports: [PeersService, OperatorPeers, PeerTelemetry, ServerListFastPath, PlanUsage, PlanEnforcer, PlanClock],
})
export class PeersModule {}
