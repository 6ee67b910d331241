export { PeersModule } from './peers.module.js';
export { PeersService, type UserSecrets } from './peers.service.js';
export { PeerTelemetry } from './peer-telemetry.js';
export { UserEntity, type ProvisioningState } from './user.entity.js';
export { OFFLINE, toLiveFieldsDto, toUserDto, type PeerLiveStatus, type UserDto } from './peers.dto.js';
