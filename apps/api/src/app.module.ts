import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from '@wgfleet/accounts';
import { AuditModule } from '@wgfleet/audit';
import { PeersModule } from '@wgfleet/peers';
import { PortForwardsModule } from '@wgfleet/port-forwards';
import { ResellersModule } from '@wgfleet/resellers';
import { AppConfig, SecretBox } from '@wgfleet/core';
import { DatabaseModule } from '@wgfleet/database';
import { RateLimitModule } from '@wgfleet/rate-limit';
import { ServersModule } from '@wgfleet/servers';
import { HealthModule } from './health/health.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  masterKey: Buffer;
}

/** Composition only: each feature lives in its own lib. */
@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, masterKey }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        DatabaseModule.forRoot({ url: databaseUrl, poolSize: config.DATABASE_POOL_SIZE }),
        RateLimitModule.forRoot({ redisUrl: config.REDIS_URL, limitPerWindow: config.RATE_LIMIT_PER_MINUTE }),
        HealthModule,
        AuditModule,
        AccountsModule,
        ServersModule,
        PeersModule,
        PortForwardsModule,
        ResellersModule,
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: SecretBox, useValue: new SecretBox(masterKey) },
      ],
      exports: [AppConfig, SecretBox],
    };
  }
}
