import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountAccessHooks, AccountsModule } from '@wgfleet/accounts';
import { IdempotencyModule } from '@wgfleet/idempotency';
import { AdminAssignmentsController } from './admin-assignments.controller.js';
import { AdminNodesController } from './admin-nodes.controller.js';
import { AdminServerDnsController } from './admin-server-dns.controller.js';
import { AdminServersController } from './admin-servers.controller.js';
import { AssignmentEntity } from './assignment.entity.js';
import { AssignmentsService } from './assignments.service.js';
import { CustomerServerDnsController } from './customer-server-dns.controller.js';
import { FleetAccess } from './fleet-access.service.js';
import { FleetChanges } from './fleet-changes.js';
import { NodeEntity } from './node.entity.js';
import { NodesService } from './nodes.service.js';
import { ReconcileRequests } from './reconcile-requests.js';
import { ServerEntity } from './server.entity.js';
import { ServerDnsService } from './server-dns.service.js';
import { ServerRemovals } from './server-removals.js';
import { ServerSyncRecords } from './server-sync-records.js';
import { ServersService } from './servers.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([NodeEntity, ServerEntity, AssignmentEntity]), AccountsModule, IdempotencyModule],
  controllers: [AdminNodesController, AdminServersController, AdminAssignmentsController, AdminServerDnsController, CustomerServerDnsController],
  providers: [FleetAccess, FleetChanges, NodesService, ServersService, AssignmentsService, ReconcileRequests, ServerRemovals, ServerSyncRecords, ServerDnsService],
  exports: [FleetAccess, FleetChanges, NodesService, ServersService, AssignmentsService, ReconcileRequests, ServerRemovals, ServerSyncRecords, ServerDnsService],
})
export class ServersModule implements OnModuleInit {
  constructor(
    private readonly accessHooks: AccountAccessHooks,
    private readonly access: FleetAccess,
  ) {}

  /** A suspended (or unsuspended) account's peers must leave (or return to) its servers. */
  onModuleInit(): void {
    this.accessHooks.register((manager, accountIds) => this.access.bumpGenerationsOfAccounts(manager, accountIds));
  }
}
