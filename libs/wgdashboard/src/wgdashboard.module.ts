import { Module, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@wgfleet/audit';
import { ServersModule } from '@wgfleet/servers';
import { AdminWgdKeysController } from './admin-wgd-keys.controller.js';
import { DashboardInfoController } from './dashboard-info.controller.js';
import { WgdApiKeyEntity } from './wgd-api-key.entity.js';
import { WgdApiKeys } from './wgd-api-keys.service.js';

/** The WGDashboard routes, under WGD_APP_PREFIX (upstream's `app_prefix`; empty by default). */
@Module({
  imports: [TypeOrmModule.forFeature([WgdApiKeyEntity]), ServersModule, AuditModule],
  controllers: [DashboardInfoController],
  providers: [WgdApiKeys],
  exports: [WgdApiKeys],
})
class WgdashboardRoutesModule {}

/** The admin's side: keys are handed out through the portal's admin API. */
@Module({
  imports: [WgdashboardRoutesModule, ServersModule, AuditModule],
  controllers: [AdminWgdKeysController],
})
export class WgdashboardModule {
  static forRoot(options: { prefix: string }): DynamicModule {
    return {
      module: WgdashboardModule,
      imports: [WgdashboardRoutesModule, RouterModule.register([{ path: options.prefix, module: WgdashboardRoutesModule }])],
      exports: [WgdashboardRoutesModule],
    };
  }
}
