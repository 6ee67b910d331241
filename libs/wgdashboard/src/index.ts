export { WgdashboardModule } from './wgdashboard.module.js';
export { WgdApiKeys, type WgdKeyGrant } from './wgd-api-keys.service.js';
export { WGD_VERSION } from './dashboard-info.controller.js';
export { WgdSettings, type WgdPeerDefaults } from './settings/wgd-settings.service.js';
export { PeerJobRunner, type PeerJobPass } from './peer-jobs/peer-job-runner.js';
export { PeerJobClock } from './peer-jobs/peer-job-clock.js';
