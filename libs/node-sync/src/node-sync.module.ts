import { Module, type DynamicModule } from '@nestjs/common';
import { PeersModule } from '@wgfleet/peers';
import { PortForwardsModule } from '@wgfleet/port-forwards';
import { ServersModule } from '@wgfleet/servers';
import { DesiredStateReader } from './desired-state.reader.js';
import { InterfaceRemover } from './interface-remover.js';
import { ReconcilerOptions, reconcilerOptions } from './reconciler-options.js';
import { PlanSweeper } from './plan-sweeper.js';
import { PollClaims } from './poll-claims.js';
import { Reconciler } from './reconciler.service.js';
import { StatusPoller } from './status-poller.js';
import { SyncLocks } from './sync-locks.js';

/**
 * The reconciler. The NodeDriver port is not bound here: the app binds the real driver
 * (`{ provide: NodeDriver, useClass: SshNodeDriver }`, exported from a global module) and tests a fake.
 */
@Module({})
export class NodeSyncModule {
  static forRoot(options: Partial<ReconcilerOptions> = {}): DynamicModule {
    return {
      module: NodeSyncModule,
      // Once per app: feature modules that read a node (WGDashboard's live figures) use this one reader.
      global: true,
      imports: [ServersModule, PeersModule, PortForwardsModule],
      providers: [{ provide: ReconcilerOptions, useValue: reconcilerOptions(options) }, DesiredStateReader, SyncLocks, InterfaceRemover, Reconciler, PollClaims, StatusPoller, PlanSweeper],
      exports: [Reconciler, DesiredStateReader, StatusPoller, InterfaceRemover, PlanSweeper],
    };
  }
}
