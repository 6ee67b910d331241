export { WgdashboardModule } from './wgdashboard.module.js';
export { WgdApiKeys, type WgdKeyGrant } from './wgd-api-keys.service.js';
export { WGD_VERSION } from './dashboard-info.controller.js';
export { WgdSettings, type WgdPeerDefaults } from './settings/wgd-settings.service.js';
