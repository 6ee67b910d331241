export { PeersModule } from './peers.module.js';
export { PeersService } from './peers.service.js';
export { UserEntity, type ProvisioningState } from './user.entity.js';
