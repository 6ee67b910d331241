import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '@wgfleet/accounts';
import { AuditModule } from '@wgfleet/audit';
import { NodeDriver, NodeSyncModule, type ReconcilerOptions } from '@wgfleet/node-sync';
import { NodeDriverModule } from '@wgfleet/ssh-driver';
import { PeersModule } from '@wgfleet/peers';
import { PortForwardsModule } from '@wgfleet/port-forwards';
import { ResellersModule } from '@wgfleet/resellers';
import { AppConfig, SecretBox } from '@wgfleet/core';
import { DatabaseModule } from '@wgfleet/database';
import { MetricsModule } from '@wgfleet/metrics';
import { RateLimitModule } from '@wgfleet/rate-limit';
import { ServersModule } from '@wgfleet/servers';
import { WgdashboardModule } from '@wgfleet/wgdashboard';
import { HealthModule } from './health/health.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  masterKey: Buffer;
  /** Tests only: a driver in place of the real SSH/local one, and reconciler tuning. */
  nodeDriver?: NodeDriver;
  reconciler?: Partial<ReconcilerOptions>;
}

/** The real drivers, or the given one (a test's fake), bound for the whole app. */
function nodeDriverModule(driver: NodeDriver | undefined): DynamicModule {
  if (!driver) return { module: NodeDriverModule };
  return { module: class GivenNodeDriverModule {}, global: true, providers: [{ provide: NodeDriver, useValue: driver }], exports: [NodeDriver] };
}

/** Composition only: each feature lives in its own lib. */
@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, masterKey, nodeDriver, reconciler }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({ url: databaseUrl, poolSize: config.DATABASE_POOL_SIZE }),
        RateLimitModule.forRoot({ redisUrl: config.REDIS_URL, limitPerWindow: config.RATE_LIMIT_PER_MINUTE }),
        HealthModule,
        MetricsModule.forRoot({ token: config.METRICS_TOKEN }),
        AuditModule,
        AccountsModule,
        ServersModule,
        PeersModule,
        PortForwardsModule,
        ResellersModule,
        WgdashboardModule.forRoot({ prefix: config.WGD_APP_PREFIX }),
        nodeDriverModule(nodeDriver),
        NodeSyncModule.forRoot({
          enabled: config.RECONCILER_ENABLED === 'true',
          intervalMs: config.RECONCILE_INTERVAL_MS,
          pollIntervalMs: config.POLL_INTERVAL_MS,
          ...reconciler,
        }),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: SecretBox, useValue: new SecretBox(masterKey) },
      ],
      exports: [AppConfig, SecretBox],
    };
  }
}
