import { Module, type DynamicModule } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '@wgfleet/audit';
import { PeersModule } from '@wgfleet/peers';
import { ServersModule } from '@wgfleet/servers';
import { AdminWgdKeysController } from './admin-wgd-keys.controller.js';
import { ConfigurationsController } from './configurations.controller.js';
import { DashboardApiKeysController } from './dashboard-api-keys.controller.js';
import { DashboardInfoController } from './dashboard-info.controller.js';
import { DashboardSessionController } from './dashboard-session.controller.js';
import { EmailController } from './email/email.controller.js';
import { EMAIL_PROVIDERS } from './email/email-providers.js';
import { DashboardSettingsController } from './settings/dashboard-settings.controller.js';
import { LocaleController } from './settings/locale.controller.js';
import { WgdSettingEntity } from './settings/wgd-setting.entity.js';
import { WgdSettings } from './settings/wgd-settings.service.js';
import { PEER_JOB_CONTROLLERS, PEER_JOB_ENTITIES, PEER_JOB_PROVIDERS, PeerJobsAnnotator } from './peer-jobs/peer-jobs.parts.js';
import { PEER_ANNOTATORS, type PeerAnnotator } from './peers/peer-annotations.js';
import { PeerChangesController } from './peers/peer-changes.controller.js';
import { PeerViewsController } from './peers/peer-views.controller.js';
import { WgdPeerActions } from './peers/wgd-peer-actions.service.js';
import { WgdPeerEntity } from './peers/wgd-peer.entity.js';
import { WgdPeers } from './peers/wgd-peers.service.js';
import { ShareLinkAnnotator } from './share-links/share-link.annotator.js';
import { ShareLinkPurger } from './share-links/share-link-purger.js';
import { ShareLinksController } from './share-links/share-links.controller.js';
import { WgdShareLinkEntity } from './share-links/wgd-share-link.entity.js';
import { WgdShareLinkStore } from './share-links/wgd-share-link-store.service.js';
import { WgdShareLinks } from './share-links/wgd-share-links.service.js';
import { NodeToolsController } from './tools/node-tools.controller.js';
import { WgdNodeTools } from './tools/wgd-node-tools.service.js';
import { WgdApiKeyEntity } from './wgd-api-key.entity.js';
import { WgdApiKeys } from './wgd-api-keys.service.js';
import { WgdConfigurations } from './wgd-configurations.service.js';
import { UnknownRoutesController } from './unknown-routes.controller.js';
import { ConfigurationEditor } from './configurations/configuration-editor.service.js';
import { WgdConfigurationHooksEntity } from './configurations/wgd-configuration-hooks.entity.js';
import { BackupDownloadsController } from './backups/backup-downloads.controller.js';
import { BackupsController } from './backups/backups.controller.js';
import { WgdBackupDownloadEntity, WgdBackupEntity } from './backups/wgd-backup.entity.js';
import { BackupRestorer } from './backups/backup-restorer.service.js';
import { WgdBackups } from './backups/wgd-backups.service.js';

/** The WGDashboard routes, under WGD_APP_PREFIX (upstream's `app_prefix`; empty by default). */
@Module({
  imports: [TypeOrmModule.forFeature([WgdApiKeyEntity, WgdConfigurationHooksEntity, WgdSettingEntity, WgdPeerEntity, WgdShareLinkEntity, WgdBackupEntity, WgdBackupDownloadEntity, ...PEER_JOB_ENTITIES]), ServersModule, PeersModule, AuditModule],
  controllers: [DashboardInfoController, DashboardSessionController, DashboardApiKeysController, ConfigurationsController, DashboardSettingsController, LocaleController, EmailController, NodeToolsController, PeerViewsController, PeerChangesController, BackupsController, BackupDownloadsController, ShareLinksController, ...PEER_JOB_CONTROLLERS,
    // Last, for readability only: Fastify prefers every other route to its `api/*` wildcard anyway.
    UnknownRoutesController],
  providers: [WgdApiKeys, WgdConfigurations, ConfigurationEditor, WgdSettings, ...EMAIL_PROVIDERS, WgdNodeTools, WgdPeers, WgdPeerActions, WgdBackups, BackupRestorer, ...PEER_JOB_PROVIDERS, WgdShareLinkStore, WgdShareLinks, ShareLinkAnnotator, ShareLinkPurger,
    // What fills the ShareLink and jobs fields of a peer object: add each PeerAnnotator class to `inject`.
    { provide: PEER_ANNOTATORS, useFactory: (...annotators: PeerAnnotator[]) => annotators, inject: [ShareLinkAnnotator, PeerJobsAnnotator] },
  ],
  exports: [WgdApiKeys, WgdConfigurations, WgdSettings, WgdPeers],
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
